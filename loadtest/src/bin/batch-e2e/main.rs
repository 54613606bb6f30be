//! `batch-e2e`: one batch end to end — submit N beams as CSV with `POST /stream/batch-design`
//! and read the SSE stream in the same response to its terminal event, resuming with
//! `Last-Event-ID` whenever the gateway cuts the stream (a slow consumer, a restart). It checks
//! every beam index arrived exactly once and reports beams/s from the submit to the last event,
//! with the CPU the named processes used meanwhile.
//!
//! ```sh
//! BEAMSTREAM_TOKEN=… batch-e2e --addr 127.0.0.1:8080 --beams 1000000 --pids 123,456,789
//! ```
//! `loadtest/run-batch.sh` starts Redis, a gateway and two workers and runs it.

mod http;
mod sse;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use loadtest::process::{CpuWindow, Pid};
use serde_json::json;

use crate::sse::Tally;

/// Resumes after a cut stream before giving up.
const MAX_RESUMES: u32 = 100;

struct Args {
    addr: String,
    beams: u64,
    pids: Vec<Pid>,
    token: String,
}

fn args() -> anyhow::Result<Args> {
    let mut addr = None;
    let mut beams = 1_000_000;
    let mut pids = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => addr = Some(value),
            "--beams" => beams = value.parse().context("--beams")?,
            "--pids" => {
                for p in value.split(',').filter(|p| !p.is_empty()) {
                    pids.push(Pid(p.parse().context("--pids")?));
                }
            }
            other => bail!("unknown flag {other} (flags: --addr, --beams, --pids)"),
        }
    }
    let token = std::env::var("BEAMSTREAM_TOKEN").context("set BEAMSTREAM_TOKEN")?;
    Ok(Args {
        addr: addr.context("--addr host:port is required")?,
        beams,
        pids,
        token,
    })
}

/// `n` beams as CSV: a cycle of 20 realistic sections (230–400 × 400–750 mm, M20–M30,
/// Fe415/500), each with its own moment so no two neighbours are the same design.
fn csv(n: u64) -> Vec<u8> {
    const SECTIONS: [(u32, u32, u32, u32); 5] = [
        (230, 400, 20, 415),
        (300, 450, 25, 500),
        (300, 600, 25, 500),
        (350, 650, 30, 500),
        (400, 750, 30, 415),
    ];
    let mut out = String::with_capacity(n as usize * 40);
    out.push_str("id,width,depth,length,Mu,Vu,fck,fy\n");
    for i in 0..n {
        let (b, d, fck, fy) = SECTIONS[(i % 5) as usize];
        let mu = 40 + (i * 7) % (u64::from(d) / 3);
        let vu = 30 + (i * 3) % 120;
        let span = 3000 + (i % 6) * 1000;
        out.push_str(&format!("B{i},{b},{d},{span},{mu},{vu},{fck},{fy}\n"));
    }
    out.into_bytes()
}

async fn drain(mut response: http::Response, tally: &mut Tally) -> anyhow::Result<()> {
    while response.next(&mut |bytes| tally.feed(bytes)).await? {
        if tally.terminal.is_some() {
            break;
        }
    }
    Ok(())
}

async fn run(args: &Args) -> anyhow::Result<serde_json::Value> {
    let body = csv(args.beams);
    let windows: Vec<CpuWindow> = args
        .pids
        .iter()
        .map(|&p| CpuWindow::start(p))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let head = format!(
        "POST /stream/batch-design HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: text/csv\r\nAccept: text/event-stream",
        args.addr, args.token
    );
    let response = http::request(&args.addr, &head, &body).await?;
    if response.status != 200 {
        let status = response.status;
        bail!("submit answered {status}: {}", response.text().await?);
    }
    let mut tally = Tally::new(args.beams);
    tally.job_id = response.header("x-job-id").map(str::to_owned);
    drain(response, &mut tally).await?;
    let mut resumes = 0;
    while tally.terminal.is_none() {
        resumes += 1;
        if resumes > MAX_RESUMES {
            bail!("no terminal event after {MAX_RESUMES} resumes");
        }
        let job = tally
            .job_id
            .clone()
            .context("the stream ended before naming its batch")?;
        let mut head = format!(
            "GET /stream/batch/{job} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept: text/event-stream",
            args.addr, args.token
        );
        if let Some(id) = &tally.last_id {
            head.push_str(&format!("\r\nLast-Event-ID: {id}"));
        }
        let response = http::request(&args.addr, &head, b"").await?;
        if response.status != 200 {
            let status = response.status;
            bail!("resume answered {status}: {}", response.text().await?);
        }
        drain(response, &mut tally).await?;
    }
    let elapsed = started.elapsed();
    let cpu: Vec<_> = windows
        .into_iter()
        .zip(&args.pids)
        .map(|(w, _)| {
            w.finish().map(
                |u| json!({"pid": u.pid, "cpu_seconds": u.cpu_us as f64 / 1e6, "cores": u.cores}),
            )
        })
        .collect::<Result<_, _>>()?;
    Ok(json!({
        "scenario": "batch-e2e",
        "beams": args.beams,
        "body_bytes": body.len(),
        "seconds": elapsed.as_secs_f64(),
        // Submission (upload, validation of every row, queueing) against streaming.
        "start_event_after_seconds": tally.started_at.map(|t| (t - started).as_secs_f64()),
        "first_result_after_seconds": tally.first_result_at.map(|t| (t - started).as_secs_f64()),
        "beams_per_second": args.beams as f64 / elapsed.as_secs_f64(),
        "terminal": tally.terminal,
        "results": tally.results,
        "errors": tally.errors,
        "distinct_indices": tally.distinct(),
        "duplicates": tally.duplicates,
        "progress_events": tally.progress,
        "events": tally.events,
        "stream_bytes": tally.bytes,
        "resumes": resumes,
        "processes": cpu,
    }))
}

#[tokio::main]
#[expect(
    clippy::print_stdout,
    reason = "the JSON report is the program's output"
)]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let report = tokio::time::timeout(Duration::from_secs(900), run(&args))
        .await
        .context("gave up after 15 minutes")??;
    let exact = report["distinct_indices"] == args.beams && report["duplicates"] == 0;
    eprintln!(
        "batch-e2e: {} beams in {:.2} s = {:.0} beams/s; every index exactly once: {exact}; resumes {}",
        args.beams,
        report["seconds"].as_f64().unwrap_or(0.0),
        report["beams_per_second"].as_f64().unwrap_or(0.0),
        report["resumes"],
    );
    println!("{report}");
    if !exact {
        bail!("beams missing or duplicated");
    }
    Ok(())
}
