//! The `gateway` binary. It only wires: telemetry → settings → application → run until SIGTERM.

use gateway::settings::SettingsError;
use gateway::startup::Application;
use gateway::{Settings, shutdown, telemetry};

#[tokio::main]
#[expect(
    clippy::print_stdout,
    reason = "--help and the startup banner are the binary's output"
)]
async fn main() -> anyhow::Result<()> {
    let telemetry = telemetry::init()?;
    let settings = match Settings::load() {
        Err(SettingsError::Help(usage)) => {
            println!("{usage}");
            return Ok(());
        }
        loaded => loaded?,
    };
    telemetry.set_format(settings.log_format)?;
    let application = Application::build(settings).await?;
    println!("{}", application.banner());
    application.run_until_stopped(shutdown::on_signal()).await
}
