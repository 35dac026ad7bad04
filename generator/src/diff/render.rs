//! Prints a drift [`Report`]: for a terminal (optionally coloured with ANSI
//! codes), as Markdown for a pull-request comment, or as JSON for tools.
//! Changes that break existing clients come first in the human formats.

use std::fmt::Write as _;

use super::{Bump, Change, Report, Side, Wire};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Terminal,
    Markdown,
    Json,
}

/// Renders `report` in `format`; `color` only matters for the terminal.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Terminal => terminal(report, color),
        Format::Markdown => markdown(report),
        Format::Json => json(report),
    }
}

/// Pretty JSON, ending with a newline.
pub fn json(report: &Report) -> String {
    let mut out =
        serde_json::to_string_pretty(report).expect("a report is plain data and always serializes");
    out.push('\n');
    out
}

fn bump_word(bump: Bump) -> &'static str {
    match bump {
        Bump::None => "none",
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Request => "request",
        Side::Response => "response",
        Side::Both => "request+response",
    }
}

/// The changes, breaking ones first, each group in report order.
fn ordered(report: &Report) -> impl Iterator<Item = &Change> {
    let breaking = report.changes.iter().filter(|c| c.wire == Wire::Breaking);
    let compatible = report.changes.iter().filter(|c| c.wire == Wire::Compatible);
    breaking.chain(compatible)
}

fn summary(report: &Report) -> String {
    let n = report.changes.len();
    format!(
        "{} of {} change{} break{} existing clients",
        report.breaking,
        n,
        if n == 1 { "" } else { "s" },
        if report.breaking == 1 { "s" } else { "" }
    )
}

struct Paint(bool);

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn wire(&self, wire: Wire) -> String {
        match wire {
            Wire::Breaking => self.paint("1;31", "breaking  "),
            Wire::Compatible => self.paint("32", "compatible"),
        }
    }

    fn bump(&self, bump: Bump) -> String {
        let word = format!("{:<5}", bump_word(bump));
        match bump {
            Bump::Major => self.paint("1;33", &word),
            Bump::Minor => self.paint("33", &word),
            Bump::Patch | Bump::None => self.paint("2", &word),
        }
    }
}

/// Two lines per change: verdicts, where and what; then side, Rust item and pointer.
pub fn terminal(report: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}) -> {} ({})",
        p.paint("1", "API drift:"),
        report.old.title,
        report.old.version,
        report.new.title,
        report.new.version
    );
    if report.is_empty() {
        let _ = writeln!(out, "no changes; the generated crate needs no release");
        return out;
    }
    let wire = match report.wire {
        Wire::Breaking => p.paint("1;31", "BREAKING"),
        Wire::Compatible => p.paint("32", "compatible"),
    };
    let _ = writeln!(out, "wire: {wire} ({})", summary(report));
    let _ = writeln!(
        out,
        "rust: {} bump for the generated crate",
        p.bump(report.bump).trim_end()
    );
    let _ = writeln!(out);
    for change in ordered(report) {
        let _ = writeln!(
            out,
            "{} {} {}: {} ({})",
            p.wire(change.wire),
            p.bump(change.bump),
            p.paint("1", &change.location),
            change.kind,
            change.detail
        );
        let _ = writeln!(
            out,
            "                 {} | {} | {}",
            side_word(change.side),
            change.rust,
            p.paint("2", change.pointer())
        );
    }
    out
}

/// Markdown for a pull-request comment: a verdict, then one table row per change.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### API drift: `{}` -> `{}`\n",
        cell(&report.old.version),
        cell(&report.new.version)
    );
    if report.is_empty() {
        let _ = writeln!(out, "No changes. The generated crate needs no release.");
        return out;
    }
    let wire = match report.wire {
        Wire::Breaking => ":x: **breaking**",
        Wire::Compatible => ":white_check_mark: compatible",
    };
    let _ = writeln!(out, "- Wire: {wire}: {}", summary(report));
    let _ = writeln!(
        out,
        "- Generated crate: **{}** version bump\n",
        bump_word(report.bump)
    );
    let _ = writeln!(
        out,
        "| Wire | Bump | Where | Change | Side | Rust item | Pointer |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for c in ordered(report) {
        let wire = match c.wire {
            Wire::Breaking => ":x: breaking",
            Wire::Compatible => "compatible",
        };
        let _ = writeln!(
            out,
            "| {wire} | {} | `{}` | {}: {} | {} | `{}` | `{}` |",
            bump_word(c.bump),
            cell(&c.location),
            c.kind,
            cell(&c.detail),
            side_word(c.side),
            cell(&c.rust.to_string()),
            cell(c.pointer())
        );
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff;

    fn report(old_pattern: &str, new_pattern: &str) -> Report {
        let spec = |pattern: &str| {
            let yaml = format!(
                "openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /v1/things:
    get:
      parameters: [{{name: q, in: query, schema: {{type: string, pattern: '{pattern}'}}}}]
      responses: {{'200': {{description: ok}}}}
"
            );
            let spec = crate::load::load_bytes(yaml.as_bytes(), "t.yaml").expect("loads");
            crate::lower::lower(&spec).expect("lowers")
        };
        diff(&spec(old_pattern), &spec(new_pattern))
    }

    #[test]
    fn terminal_colours_only_when_asked() {
        let r = report("^a$", "^(a|b)$");
        let plain = terminal(&r, false);
        assert!(!plain.contains('\x1b'));
        assert!(plain.contains("GET /v1/things query.q: constraint tightened"));
        let coloured = terminal(&r, true);
        assert!(
            coloured.contains("\x1b[1;31mbreaking  \x1b[0m"),
            "{coloured}"
        );
        assert!(coloured.contains("\x1b[1;31mBREAKING\x1b[0m"), "{coloured}");
    }

    #[test]
    fn markdown_cells_escape_pipes() {
        let r = report("^a$", "^(a|b)$");
        let md = markdown(&r);
        assert!(
            md.contains(r#"pattern "^a$" -> "^(a\|b)$""#),
            "a `|` would split the table cell:\n{md}"
        );
        assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 2);
    }

    #[test]
    fn no_changes_say_so() {
        let r = report("^a$", "^a$");
        assert!(
            terminal(&r, false).ends_with("no changes; the generated crate needs no release\n")
        );
        assert!(markdown(&r).ends_with("No changes. The generated crate needs no release.\n"));
        assert!(json(&r).contains("\"changes\": []"));
    }
}
