//! The `design-worker` binary: telemetry → settings → application → run until a signal.

use std::io::Write;

use design_worker::{Application, LogFormat, Settings, signal, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        std::io::stdout().write_all(Settings::usage().as_bytes())?;
        return Ok(());
    }
    let settings = Settings::load();
    telemetry::init(settings.as_ref().map_or(LogFormat::Json, |s| s.log_format));
    let settings = settings?;
    let shutdown = signal::shutdown_on_signals()?;
    let app = Application::build(settings).await?;
    tracing::info!(metrics = %app.metrics_addr()?, "listening");
    app.run_until_stopped(shutdown).await?;
    Ok(())
}
