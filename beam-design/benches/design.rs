//! Throughput of `design` over a realistic mix of 100 beams: singly and doubly reinforced
//! designs, shear-heavy sections and check-mode beams (see docs/BENCHMARKS.md).

use std::hint::black_box;

use beam_design::design;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod mix;

fn bench(c: &mut Criterion) {
    let beams = mix::mix();
    let mut group = c.benchmark_group("design");
    group.throughput(Throughput::Elements(beams.len() as u64));
    group.bench_function("mix_of_100_beams", |bencher| {
        bencher.iter(|| {
            for beam in &beams {
                black_box(design(black_box(beam)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
