pub mod check;
pub mod demo;
pub mod import;
pub mod serve;
pub mod token;
pub mod user;
pub mod verify;

/// Who the CLI acts as, for the audit log.
pub fn cli_actor(command: &str) -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "inconnu".into());
    format!("cli:{command}:{user}")
}
