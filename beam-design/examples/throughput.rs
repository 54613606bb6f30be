//! Designs the benchmark's 100-beam mix in a loop and prints the wall time per design; run it
//! under `perf stat -e task-clock` to get CPU time per design when the machine is shared:
//!
//! ```text
//! cargo build --release -p beam-design --example throughput
//! perf stat -e task-clock target/release/examples/throughput 20000
//! ```
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/mix/mod.rs"]
mod mix;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let beams = mix::mix();
    let start = Instant::now();
    for _ in 0..rounds {
        for beam in &beams {
            black_box(beam_design::design(black_box(beam)));
        }
    }
    let designs = rounds * beams.len();
    let ns = start.elapsed().as_nanos() as f64 / designs as f64;
    println!("{designs} designs, {ns:.1} ns/design (wall)");
}
