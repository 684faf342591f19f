use std::process::ExitCode;

use clap::Parser;

/// Argon2 allocates 19 MiB for each password check, on whichever blocking thread runs it. glibc
/// then raises its mmap threshold and keeps such blocks in per-thread arenas: under a login load
/// the server grew by about 450 MB (scripts/bench/backoffice.sh). A fixed 4 MiB threshold hands
/// large blocks back to the system as soon as they are freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn bound_allocator_retention() {
    // SAFETY: first thing in `main`, before any other thread exists; mallopt only sets a tunable.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn bound_allocator_retention() {}

fn main() -> ExitCode {
    bound_allocator_retention();
    // forma.toml sits below flags and environment variables: apply it before parsing.
    let config_path = std::env::var_os("FORMA_CONFIG").map(std::path::PathBuf::from).unwrap_or_else(|| "forma.toml".into());
    match forma::config_file::ConfigFile::read(&config_path) {
        Ok(Some(file)) => {
            for (name, value) in file.missing_env(|name| std::env::var_os(name).is_some()) {
                // SAFETY: single-threaded here, before the runtime or any thread starts.
                unsafe { std::env::set_var(name, value) };
            }
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("forma : {e:#}");
            return ExitCode::FAILURE;
        }
    }
    let cli = forma::cli::Cli::parse();
    forma::telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("forma : impossible de démarrer : {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(forma::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forma : {e:#}");
            ExitCode::FAILURE
        }
    }
}
