//! Designs (or checks) one beam from command-line flags and prints a readable report.
//!
//! ```text
//! cargo run -q -p beam-design --example design -- --width 300 --depth 500 --span 5000 \
//!     --mu 150 --vu 100 --fck 25 --fy 500
//! ```
//!
//! Optional: `--cover MM`, `--d MM`, `--d-prime MM`, `--support simple|continuous|cantilever`,
//! `--exposure mild|moderate|severe|very-severe|extreme`, `--bars 12,16,20`, `--stirrup-dia MM`,
//! `--legs N`, `--aggregate MM`; check mode: `--tension 3x16[,2x12]`, `--compression 2x12`,
//! `--stirrups 2x8@150` (legs x dia @ spacing).
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use beam_design::{
    BarGroupInput, BeamInput, Design, Exposure, ReinforcementInput, StirrupInput, Support, design,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = match parse(&args) {
        Ok(input) => input,
        Err(e) => {
            eprintln!(
                "error: {e}\n\nusage: design --width MM --depth MM --span MM --mu KNM --fck MPA --fy MPA [--vu KN] [...]"
            );
            return ExitCode::from(2);
        }
    };
    match beam_design::Beam::try_from(&input) {
        Ok(beam) => {
            report(&design(&beam));
            ExitCode::SUCCESS
        }
        Err(invalid) => {
            eprintln!("invalid beam:");
            for e in &invalid.errors {
                eprintln!("  {:?}: {}", e.field, e.message);
            }
            ExitCode::from(1)
        }
    }
}

fn parse(args: &[String]) -> Result<BeamInput, String> {
    let mut input = BeamInput::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || {
            value
                .parse::<f64>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--width" => input.width_mm = num()?,
            "--depth" => input.depth_mm = num()?,
            "--span" => input.span_mm = num()?,
            "--mu" => input.mu_knm = num()?,
            "--vu" => input.vu_kn = Some(num()?),
            "--fck" => input.fck_mpa = num()?,
            "--fy" => input.fy_mpa = num()?,
            "--cover" => input.cover_mm = Some(num()?),
            "--d" => input.effective_depth_mm = Some(num()?),
            "--d-prime" => input.compression_depth_mm = Some(num()?),
            "--stirrup-dia" => input.stirrup_dia_mm = Some(num()?),
            "--legs" => input.stirrup_legs = Some(num()?),
            "--aggregate" => input.max_aggregate_mm = Some(num()?),
            "--bars" => input.bar_diameters_mm = Some(numbers(value, ',')?),
            "--support" => input.support = Some(support(value)?),
            "--exposure" => input.exposure = Some(exposure(value)?),
            "--tension" => reinforcement(&mut input).tension = groups(value)?,
            "--compression" => reinforcement(&mut input).compression = groups(value)?,
            "--stirrups" => reinforcement(&mut input).stirrups = Some(stirrups(value)?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(input)
}

fn reinforcement(input: &mut BeamInput) -> &mut ReinforcementInput {
    input
        .reinforcement
        .get_or_insert_with(ReinforcementInput::default)
}

fn numbers(s: &str, sep: char) -> Result<Vec<f64>, String> {
    s.split(sep)
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("not a number: {p}"))
        })
        .collect()
}

fn groups(s: &str) -> Result<Vec<BarGroupInput>, String> {
    s.split(',')
        .map(|g| match numbers(g, 'x')?.as_slice() {
            [count, dia_mm] => Ok(BarGroupInput {
                count: *count,
                dia_mm: *dia_mm,
            }),
            _ => Err(format!("bars must look like 3x16, got {g}")),
        })
        .collect()
}

fn stirrups(s: &str) -> Result<StirrupInput, String> {
    let (links, spacing) = s
        .split_once('@')
        .ok_or_else(|| format!("stirrups must look like 2x8@150, got {s}"))?;
    match numbers(links, 'x')?.as_slice() {
        [legs, dia_mm] => Ok(StirrupInput {
            legs: *legs,
            dia_mm: *dia_mm,
            spacing_mm: numbers(spacing, ',')?[0],
        }),
        _ => Err(format!("stirrups must look like 2x8@150, got {s}")),
    }
}

fn support(s: &str) -> Result<Support, String> {
    match s {
        "simple" | "simply-supported" => Ok(Support::SimplySupported),
        "continuous" => Ok(Support::Continuous),
        "cantilever" => Ok(Support::Cantilever),
        _ => Err(format!("unknown support {s}")),
    }
}

fn exposure(s: &str) -> Result<Exposure, String> {
    match s {
        "mild" => Ok(Exposure::Mild),
        "moderate" => Ok(Exposure::Moderate),
        "severe" => Ok(Exposure::Severe),
        "very-severe" => Ok(Exposure::VerySevere),
        "extreme" => Ok(Exposure::Extreme),
        _ => Err(format!("unknown exposure {s}")),
    }
}

fn report(d: &Design) {
    println!(
        "IS 456:2000 beam {} — status {}",
        d.mode.as_str(),
        d.status.as_str()
    );
    println!(
        "  effective depth d      {:8.1} mm   (d' {:.1} mm)",
        d.effective_depth_mm, d.compression_depth_mm
    );
    println!(
        "  xu,max / xu            {:8.1} / {:.1} mm",
        d.xu_max_mm, d.xu_mm
    );
    println!(
        "  Mu,lim                 {:8.1} kN·m  doubly reinforced: {}",
        d.mu_lim_knm, d.doubly_reinforced
    );
    let t = &d.tension;
    println!(
        "  tension steel          {:8.0} mm² required (min {:.0}, max {:.0}); provided {} = {:.0} mm², Ld {:.0} mm",
        t.required_mm2, t.min_mm2, t.max_mm2, t.bars, t.provided_mm2, t.development_length_mm
    );
    if let Some(c) = &d.compression {
        println!(
            "  compression steel      {:8.0} mm² required; provided {} = {:.0} mm², Ld {:.0} mm",
            c.required_mm2, c.bars, c.provided_mm2, c.development_length_mm
        );
    }
    let s = &d.shear;
    println!("  pt                     {:8.3} %", d.pt_percent);
    println!(
        "  τv / τc / τc,max       {:8.3} / {:.3} / {:.2} N/mm²",
        s.tau_v_mpa, s.tau_c_mpa, s.tau_c_max_mpa
    );
    match s.stirrups {
        Some(st) => println!(
            "  stirrups               {st}  (governed by {} {})",
            s.governing.as_str(),
            s.governing.clause()
        ),
        None => println!("  stirrups               none"),
    }
    let f = &d.deflection;
    println!(
        "  span/d                 {:8.2} actual ≤ {:.2} allowed (basic {} × {:.3} × kt {:.3} × kc {:.3})",
        f.actual_ratio,
        f.allowable_ratio,
        f.basic_ratio,
        f.span_factor,
        f.tension_factor,
        f.compression_factor
    );
    if let Some(sf) = d.side_face {
        println!(
            "  side-face steel        {:8.0} mm² per face at ≤ {:.0} mm",
            sf.per_face_mm2, sf.max_spacing_mm
        );
    }
    let c = &d.capacity;
    println!(
        "  capacity               {:8.1} kN·m ({:.2} used), {:.1} kN ({:.2} used)",
        c.moment_knm, c.flexure_utilization, c.shear_kn, c.shear_utilization
    );
    for m in &d.messages {
        println!(
            "  [{}] {} (cl. {}): {m}",
            m.level().as_str(),
            m.code,
            m.clause()
        );
    }
}
