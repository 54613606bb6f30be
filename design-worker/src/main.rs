//! The `design-worker` binary: settings → telemetry → application → run until a signal.
//!
//! Settings come before telemetry because the log format is one of them; a settings error is
//! an operator's mistake, printed plainly (every problem at once) with exit code 2.

use std::io::Write;

use design_worker::{Application, Settings, signal, telemetry};

/// Exit code for invalid settings (as for a usage error).
const EXIT_USAGE: i32 = 2;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        std::io::stdout().write_all(Settings::usage().as_bytes())?;
        return Ok(());
    }
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "design-worker: {e}");
            std::process::exit(EXIT_USAGE);
        }
    };
    telemetry::init(settings.log_format);
    let shutdown = signal::shutdown_on_signals()?;
    let app = Application::build(settings).await?;
    tracing::info!(metrics = %app.metrics_addr()?, "listening");
    app.run_until_stopped(shutdown).await?;
    Ok(())
}
