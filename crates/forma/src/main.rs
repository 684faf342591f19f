use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
