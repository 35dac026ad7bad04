//! `cargo xtask fuzz [--seconds N] [--inputs N] [--seed S]`: fuzzing the
//! generator on stable Rust. Seeds are real specs (`../shared/specs/`, the
//! workspace spec and the fixtures); each input is a seed mutated either
//! structurally (a node of the JSON tree replaced, deleted, duplicated, or
//! given a schema keyword that real specs use: `allOf`, `oneOf`, `nullable`,
//! a `$ref` to another component, `additionalProperties`, …) or byte-wise
//! (bytes of its text flipped, dropped or repeated). Each input runs through
//! load -> lower -> emit on a worker thread, and must end, within a time
//! bound, in either output or an error that names the file and, for
//! anything past parsing, a JSON pointer. A panic, a hang or an error
//! without a location is a finding: the input is saved under
//! `target/fuzz/` and the run exits 1.
//!
//! The run is seeded and reproducible: `--seed` fixes the whole sequence.
//! On a terminal a progress line is redrawn in place; elsewhere (CI) a line
//! is printed every 10% of the run.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;
use serde_json::{Value, json};

use crate::workspace_root;

/// How long one input may take (load, lower and emit of a mutated spec).
const TIME_BOUND: Duration = Duration::from_secs(20);
/// Seeds larger than this are mutated least often (they take long to emit).
const LARGE: usize = 1 << 20;

/// One seed spec: its name and parsed tree.
struct Seed {
    name: String,
    tree: Value,
    /// Bytes of the seed file.
    size: usize,
}

/// A seed, small ones far more often: every input costs time in proportion
/// to its seed's size, and small seeds cover the same constructs at a
/// thousand inputs a second. Each size class (under 64 KiB, under 1 MiB,
/// larger) gets 90%, 9% and 1% of the inputs, when it has seeds.
fn pick_seed<'s>(seeds: &'s [Seed], rng: &mut XorShiftRng) -> &'s Seed {
    let class = |s: &Seed| match s.size {
        n if n < 64 * 1024 => 0,
        n if n < LARGE => 1,
        _ => 2,
    };
    let roll = rng.random_range(0..100);
    let wanted = match roll {
        0 => 2,
        1..=9 => 1,
        _ => 0,
    };
    let candidates: Vec<&Seed> = seeds.iter().filter(|s| class(s) == wanted).collect();
    if candidates.is_empty() {
        &seeds[rng.random_range(0..seeds.len())]
    } else {
        candidates[rng.random_range(0..candidates.len())]
    }
}

pub fn run(seconds: Option<u64>, inputs: Option<u64>, seed: u64) -> ExitCode {
    let root = workspace_root();
    let seeds = load_seeds(&root);
    if seeds.is_empty() {
        eprintln!("error: no seed specs found");
        return ExitCode::FAILURE;
    }
    let started = Instant::now();
    let deadline = seconds.map(|s| started + Duration::from_secs(s));
    let limit = inputs.unwrap_or(if deadline.is_some() { u64::MAX } else { 1000 });
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let terminal = std::io::stderr().is_terminal();
    println!(
        "fuzz: {} seeds, seed {seed}, {workers} workers, {}",
        seeds.len(),
        match seconds {
            Some(s) => format!("{s} s"),
            None => format!("{limit} inputs"),
        }
    );
    let stats = Stats::default();
    let out_dir = root.join("target/fuzz");
    // Panics are findings, reported once each; not printed as they happen.
    std::panic::set_hook(Box::new(|_| {}));
    std::thread::scope(|scope| {
        let running: Vec<_> = (0..workers)
            .map(|w| {
                let (seeds, stats, out_dir) = (&seeds, &stats, &out_dir);
                scope.spawn(move || {
                    // Worker `w` of a run with seed `seed` always makes the same inputs.
                    let mut rng = XorShiftRng::seed_from_u64(
                        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                            .wrapping_add(w as u64),
                    );
                    worker(seeds, &mut rng, stats, out_dir, limit, deadline);
                })
            })
            .collect();
        let mut next_report = 0.1;
        while running.iter().any(|h| !h.is_finished()) {
            std::thread::sleep(Duration::from_millis(200));
            let n = stats.inputs.load(Ordering::Relaxed).min(limit);
            let progress = match deadline {
                Some(d) => {
                    let total = d.saturating_duration_since(started).as_secs_f64().max(1e-9);
                    (started.elapsed().as_secs_f64() / total).min(1.0)
                }
                None => n as f64 / limit as f64,
            };
            if terminal {
                eprint!("\r{:>5.1}% {}", progress * 100.0, stats.line(n));
                let _ = std::io::stderr().flush();
            } else if progress >= next_report {
                println!("fuzz: {:>3.0}% {}", progress * 100.0, stats.line(n));
                next_report += 0.1;
            }
        }
    });
    let _ = std::panic::take_hook();
    if terminal {
        eprintln!();
    }
    let n = stats.inputs.load(Ordering::Relaxed).min(limit);
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "fuzz: done in {elapsed:.1} s ({:.0} inputs/s): {}",
        n as f64 / elapsed.max(1e-9),
        stats.line(n)
    );
    if stats.findings.load(Ordering::Relaxed) == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One worker's loop: inputs until the shared count reaches `limit`, the
/// deadline passes or some worker saw a hang.
fn worker(
    seeds: &[Seed],
    rng: &mut XorShiftRng,
    stats: &Stats,
    out_dir: &Path,
    limit: u64,
    deadline: Option<Instant>,
) {
    loop {
        let n = stats.inputs.fetch_add(1, Ordering::Relaxed);
        if n >= limit
            || deadline.is_some_and(|d| Instant::now() >= d)
            || stats.stop.load(Ordering::Relaxed)
        {
            return;
        }
        let seed_spec = pick_seed(seeds, rng);
        let (bytes, file) = mutate(seed_spec, rng);
        match run_one(bytes.clone(), file.clone()) {
            Verdict::Output => {
                stats.output.fetch_add(1, Ordering::Relaxed);
            }
            Verdict::Error => {
                stats.errors.fetch_add(1, Ordering::Relaxed);
            }
            Verdict::Finding(what) => {
                stats.findings.fetch_add(1, Ordering::Relaxed);
                let path = out_dir.join(format!("finding-{n}-{}", file.replace('/', "_")));
                let _ = std::fs::create_dir_all(out_dir);
                let _ = std::fs::write(&path, &bytes);
                println!("finding: {what} (input saved to {})", path.display());
                if what.starts_with("hang") {
                    // The hung thread cannot be stopped: end the run.
                    stats.stop.store(true, Ordering::Relaxed);
                    return;
                }
            }
        }
    }
}

/// Counters shared by the workers.
#[derive(Default)]
struct Stats {
    inputs: AtomicU64,
    output: AtomicU64,
    errors: AtomicU64,
    findings: AtomicU64,
    stop: AtomicBool,
}

impl Stats {
    fn line(&self, n: u64) -> String {
        format!(
            "{n} inputs: {} generated, {} clear errors, {} findings",
            self.output.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
            self.findings.load(Ordering::Relaxed)
        )
    }
}

enum Verdict {
    Output,
    Error,
    Finding(String),
}

/// Load, lower and emit one input on a worker thread, within [`TIME_BOUND`].
fn run_one(bytes: Vec<u8>, file: String) -> Verdict {
    let (tx, rx) = mpsc::channel();
    let worker_file = file.clone();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let spec = apigen::load::load_bytes(&bytes, &worker_file)?;
            apigen::generate_from(
                &spec,
                &apigen::Options {
                    package: "fuzzed".to_owned(),
                    standalone: true,
                },
            )
        }));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(TIME_BOUND) {
        Ok(Ok(Ok(_))) => Verdict::Output,
        Ok(Ok(Err(error))) => judge_error(&error, &file),
        Ok(Err(panic)) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Verdict::Finding(format!("panic: {message}"))
        }
        Err(_) => Verdict::Finding(format!("hang: no answer within {TIME_BOUND:?}")),
    }
}

/// An error is clear when it names the file and, past parsing, a pointer.
fn judge_error(error: &apigen::Error, file: &str) -> Verdict {
    let text = error.to_string();
    if !text.starts_with(file) {
        return Verdict::Finding(format!("an error that does not name the file: {text}"));
    }
    match error {
        apigen::Error::Read { .. } | apigen::Error::Syntax { .. } => Verdict::Error,
        apigen::Error::Emit { .. } => {
            Verdict::Finding(format!("emitted Rust did not parse: {text}"))
        }
        other if other.location().is_some_and(|l| l.pointer.starts_with('#')) => Verdict::Error,
        _ => Verdict::Finding(format!("an error without a JSON pointer: {text}")),
    }
}

/// The seed specs: `../shared/specs/**` (single files; for split specs the
/// root file, whose relative references are then left dangling, which is a
/// fine input too), the workspace spec and the fixtures.
fn load_seeds(root: &Path) -> Vec<Seed> {
    let mut paths = Vec::new();
    collect_specs(&root.join("../shared/specs"), &mut paths, 0);
    paths.push(root.join("spec/promotion_codes.yaml"));
    collect_specs(&root.join("tests/fixtures"), &mut paths, 0);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let tree: Value = if path.extension().is_some_and(|e| e == "json") {
                serde_json::from_str(&text).ok()?
            } else {
                serde_yaml::from_str(&text).ok()?
            };
            tree.get("openapi")?;
            Some(Seed {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                tree,
                size: text.len(),
            })
        })
        .collect()
}

fn collect_specs(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Split specs: only their top-level files.
            if depth < 2 {
                collect_specs(&path, out, depth + 1);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

/// A mutated copy of `seed` as the bytes of a file, and the file's name.
fn mutate(seed: &Seed, rng: &mut XorShiftRng) -> (Vec<u8>, String) {
    let mut tree = seed.tree.clone();
    let structural = rng.random_range(0..4) != 0;
    let rounds = rng.random_range(1..=4);
    if structural {
        for _ in 0..rounds {
            mutate_tree(&mut tree, rng);
        }
        let text = serde_json::to_vec(&tree).expect("a JSON tree serializes");
        (text, format!("{}.json", seed.name))
    } else {
        let mut bytes = serde_json::to_vec(&tree).expect("a JSON tree serializes");
        for _ in 0..rounds {
            mutate_bytes(&mut bytes, rng);
        }
        (bytes, format!("{}.json", seed.name))
    }
}

/// A random node of the tree, found by a random walk down from the root
/// (stopping at each level with some probability): O(depth), so large
/// seeds cost no more to mutate than small ones.
fn random_path(tree: &Value, rng: &mut XorShiftRng) -> Vec<String> {
    let mut path = Vec::new();
    let mut node = tree;
    loop {
        let len = match node {
            Value::Object(map) => map.len(),
            Value::Array(items) => items.len(),
            _ => 0,
        };
        if len == 0 || (!path.is_empty() && rng.random_range(0..6) == 0) {
            return path;
        }
        let i = rng.random_range(0..len);
        node = match node {
            Value::Object(map) => {
                let (k, v) = map.iter().nth(i).expect("in range");
                path.push(k.clone());
                v
            }
            Value::Array(items) => {
                path.push(i.to_string());
                &items[i]
            }
            _ => unreachable!("len is 0 for scalars"),
        };
    }
}

fn get_mut<'v>(tree: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    let mut node = tree;
    for token in path {
        node = match node {
            Value::Object(map) => map.get_mut(token)?,
            Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn component_refs(tree: &Value) -> Vec<String> {
    tree.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| {
            m.keys()
                .map(|k| {
                    format!(
                        "#/components/schemas/{}",
                        k.replace('~', "~0").replace('/', "~1")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn random_value(rng: &mut XorShiftRng, refs: &[String]) -> Value {
    let a_ref = || -> Value { json!("#/components/schemas/Nowhere") };
    match rng.random_range(0..18) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(18446744073709551615u64),
        4 => json!(1.5e300),
        5 => json!(""),
        6 => json!("{id}"),
        7 => json!([]),
        8 => json!({}),
        9 => json!({"type": "string", "enum": ["a", null, 1]}),
        10 => json!({"type": "integer", "format": "int32", "default": "x"}),
        11 => json!({"type": "array", "items": {}}),
        12 => {
            json!({"type": "object", "additionalProperties": true, "properties": {"a": {"type": "number"}}})
        }
        13 => json!({"nullable": true}),
        14 => match refs.len() {
            0 => json!({"$ref": a_ref()}),
            n => json!({"$ref": refs[rng.random_range(0..n)]}),
        },
        15 => json!({"$ref": "other.yaml#/x"}),
        16 => json!({"oneOf": [{"type": "string"}, {"type": "string", "format": "date"}]}),
        _ => {
            json!({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "object", "properties": {"a": {"type": "integer"}}}]})
        }
    }
}

fn mutate_tree(tree: &mut Value, rng: &mut XorShiftRng) {
    let refs = component_refs(tree);
    let path = random_path(tree, rng);
    let choice = rng.random_range(0..8);
    match choice {
        // Replace the node.
        0 | 1 => {
            let value = random_value(rng, &refs);
            if let Some(node) = get_mut(tree, &path) {
                *node = value;
            }
        }
        // Delete it from its parent.
        2 => {
            if let Some((last, parent)) = path.split_last()
                && let Some(parent) = get_mut(tree, parent)
            {
                match parent {
                    Value::Object(map) => {
                        map.shift_remove(last);
                    }
                    Value::Array(items) => {
                        if let Ok(i) = last.parse::<usize>()
                            && i < items.len()
                        {
                            items.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        // Copy another node over it (real constructs in unexpected places).
        3 | 4 => {
            let other = random_path(tree, rng);
            let value = get_mut(tree, &other).map(|v| v.clone());
            if let (Some(value), Some(node)) = (value, get_mut(tree, &path)) {
                *node = value;
            }
        }
        // Add a keyword that real schemas use.
        _ => {
            let keywords = [
                "allOf",
                "oneOf",
                "anyOf",
                "nullable",
                "additionalProperties",
                "discriminator",
                "readOnly",
                "writeOnly",
                "enum",
                "items",
                "not",
                "type",
                "style",
                "explode",
                "in",
                "required",
            ];
            let key = keywords[rng.random_range(0..keywords.len())];
            let value = match key {
                "allOf" | "oneOf" | "anyOf" => {
                    let n = rng.random_range(0..3);
                    Value::Array((0..n).map(|_| random_value(rng, &refs)).collect())
                }
                "nullable" | "readOnly" | "writeOnly" | "explode" => json!(rng.random_bool(0.5)),
                "discriminator" => {
                    json!({"propertyName": "kind", "mapping": {"a": "#/components/schemas/A"}})
                }
                "type" => json!(
                    ["string", "object", "array", "integer", "null", "nonsense"]
                        [rng.random_range(0..6)]
                ),
                "style" => json!(
                    [
                        "form",
                        "simple",
                        "deepObject",
                        "label",
                        "matrix",
                        "pipeDelimited",
                        "spaceDelimited"
                    ][rng.random_range(0..7)]
                ),
                "in" => {
                    json!(["query", "path", "header", "cookie", "body"][rng.random_range(0..5)])
                }
                "required" => json!(["a", "id"]),
                "enum" => json!([1, "a", null]),
                _ => random_value(rng, &refs),
            };
            if let Some(Value::Object(map)) = get_mut(tree, &path) {
                map.insert(key.to_owned(), value);
            }
        }
    }
}

fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut XorShiftRng) {
    if bytes.is_empty() {
        bytes.push(b'{');
        return;
    }
    let at = rng.random_range(0..bytes.len());
    match rng.random_range(0..4) {
        0 => bytes[at] ^= 1 << rng.random_range(0..8),
        1 => {
            let end = (at + rng.random_range(1..64)).min(bytes.len());
            bytes.drain(at..end);
        }
        2 => {
            let end = (at + rng.random_range(1..64)).min(bytes.len());
            let copy: Vec<u8> = bytes[at..end].to_vec();
            let to = rng.random_range(0..bytes.len());
            bytes.splice(to..to, copy);
        }
        _ => bytes[at] = b"{}[]\":,0-e\\"[rng.random_range(0..11)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_reproducible_from_the_seed() {
        let seed = Seed {
            name: "s.yaml".to_owned(),
            tree: json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
                "components": {"schemas": {"A": {"type": "object", "properties": {"a": {"type": "string"}}}}}}),
            size: 100,
        };
        let run = |s| {
            let mut rng = XorShiftRng::seed_from_u64(s);
            (0..20)
                .map(|_| mutate(&seed, &mut rng).0)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn a_panic_and_an_unlocated_error_are_findings() {
        let bad = apigen::Error::Emit {
            context: "x".to_owned(),
            message: "y".to_owned(),
        };
        assert!(matches!(judge_error(&bad, "internal"), Verdict::Finding(_)));
        let located = apigen::Error::Unsupported {
            at: apigen::Location {
                file: "f.json".to_owned(),
                pointer: "#/paths".to_owned(),
            },
            message: "m".to_owned(),
        };
        assert!(matches!(judge_error(&located, "f.json"), Verdict::Error));
        let ok = run_one(b"{\"openapi\": \"3.0.3\"".to_vec(), "f.json".to_owned());
        assert!(matches!(ok, Verdict::Error));
    }
}
