use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
