//! The `loadgen` binary. It only wires: parse the command line, build the runtime, run the
//! scenario, print its JSON report on stdout and a one-line summary on stderr.

use std::io::Write;

use anyhow::Context;
use loadtest::cli::{Cli, Command};
use loadtest::process::CpuWindow;
use loadtest::{design, fanout, idle};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = Cli::parse(&args, std::env::var("BEAMSTREAM_TOKEN").ok())?;
    let runtime = if cli.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()?
    };
    let (json, human) = runtime.block_on(run(cli.command))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").context("writing the report")?;
    if !human.is_empty() {
        eprintln!("{human}");
    }
    Ok(())
}

/// Runs one subcommand; returns its JSON report and its human line.
async fn run(command: Command) -> anyhow::Result<(String, String)> {
    Ok(match command {
        Command::Help => (loadtest::cli::USAGE.trim_end().to_owned(), String::new()),
        Command::Design(s) => {
            let r = design::run(&s).await?;
            (serde_json::to_string_pretty(&r)?, r.human())
        }
        Command::Idle(s) => {
            let r = idle::run(&s).await?;
            (serde_json::to_string_pretty(&r)?, r.human())
        }
        Command::Fanout(s) => {
            let r = fanout::run(&s).await?;
            (serde_json::to_string_pretty(&r)?, r.human())
        }
        Command::Cpu(s) => {
            let window = CpuWindow::start(s.pid)?;
            tokio::time::sleep(s.duration).await;
            let usage = window.finish()?;
            let human = format!(
                "pid {}: {} µs CPU, {:.2} cores",
                usage.pid, usage.cpu_us, usage.cores
            );
            (serde_json::to_string_pretty(&usage)?, human)
        }
    })
}
