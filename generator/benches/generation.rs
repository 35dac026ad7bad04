//! Generation time by stage, as a table: `cargo bench -p apigen --bench generation`.
//!
//! For each spec it times, in the same process, the bare parse of the spec
//! into `openapiv3::OpenAPI` (the baseline) and our stages: load (parse,
//! version and `$ref` checks), lower (IR) and emit (wall time on all cores;
//! beside it the CPU time of its parallel jobs, and of that the formatting
//! stage proper, `syn` + `prettyplease`, used for the small files while
//! models and params are written as formatted text), then prints medians and
//! the ratio of the whole (load + lower + emit) to the baseline. Specs:
//! `spec/promotion_codes.yaml` and, when `../shared` is beside the workspace,
//! the full Stripe spec.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(f());
                started.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut specs: Vec<(String, PathBuf, usize)> = vec![(
        "promotion_codes.yaml".to_owned(),
        root.join("spec/promotion_codes.yaml"),
        30,
    )];
    let full = root.join("../shared/specs/stripe/spec3.2023-08-16.yaml");
    if full.exists() {
        specs.push(("stripe spec3.2023-08-16.yaml".to_owned(), full, 5));
    } else {
        println!("(../shared not found: the full Stripe spec is skipped)");
    }
    println!(
        "| spec | bare parse ms | load ms | lower ms | emit ms (wall) | emit cpu ms | (of which syn + prettyplease) | total ms | total / bare parse |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, path, runs) in specs {
        let bytes = std::fs::read(&path).expect("read spec");
        let text = std::str::from_utf8(&bytes).expect("utf-8");
        let bare = time(runs, || {
            serde_yaml::from_str::<openapiv3::OpenAPI>(text).expect("parse")
        });
        let display = path.file_name().unwrap().to_string_lossy().into_owned();
        let load = time(runs, || {
            apigen::load::load_bytes(&bytes, &display).expect("load")
        });
        let spec = apigen::load::load_bytes(&bytes, &display).expect("load");
        let lower = time(runs, || apigen::lower::lower(&spec).expect("lower"));
        let api = apigen::lower::lower(&spec).expect("lower");
        let options = apigen::Options {
            package: "bench".to_owned(),
            standalone: true,
        };
        let mut stages = Vec::new();
        for _ in 0..runs {
            stages.push(
                apigen::emit::emit_profiled(&api, &spec, &options)
                    .expect("emit")
                    .1,
            );
        }
        let emit = median(stages.iter().map(|s| s.wall).collect());
        let cpu = median(stages.iter().map(|s| s.cpu).collect());
        let format = median(stages.iter().map(|s| s.format_cpu).collect());
        let total = load + lower + emit;
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {:.2}x |",
            ms(bare),
            ms(load),
            ms(lower),
            ms(emit),
            ms(cpu),
            ms(format),
            ms(total),
            total.as_secs_f64() / bare.as_secs_f64()
        );
    }
}
