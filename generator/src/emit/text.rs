//! A writer of already-formatted Rust source, for the bulk of a generated
//! crate (models and params). Building `proc_macro2` tokens and formatting
//! them with `syn` + `prettyplease` costs about 3 µs a line, which is most of
//! the generation time of a large spec (the whole Stripe API is ~600k lines);
//! writing lines straight into a `String` is an order of magnitude cheaper.
//! The emitters that use it lay lines out the way `prettyplease` would: four
//! spaces per level, one item per line, a blank line between top-level items.
//!
//! The small files (routes, server, client, errors, `lib.rs`) are still built
//! with `quote!` and formatted by `prettyplease`, where correctness by
//! construction matters more than speed.

use std::fmt::{self, Write as _};

/// Formatted Rust source under construction, with the current indentation.
#[derive(Debug, Default)]
pub struct Code {
    out: String,
    depth: usize,
}

/// Writes one line, `format!`-style, at the current indentation:
/// `line!(code, "pub {}: {},", name, ty)`.
macro_rules! line {
    ($code:expr, $($arg:tt)*) => {
        $code.line_fmt(::std::format_args!($($arg)*))
    };
}
pub(crate) use line;

impl Code {
    pub fn new() -> Self {
        Code {
            out: String::with_capacity(4096),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
    }

    /// One line at the current indentation.
    pub fn line(&mut self, text: &str) {
        self.indent();
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// One formatted line at the current indentation (see [`line!`]).
    pub fn line_fmt(&mut self, args: fmt::Arguments<'_>) {
        self.indent();
        self.out
            .write_fmt(args)
            .expect("writing to a String cannot fail");
        self.out.push('\n');
    }

    /// `text {` on a line of its own, then one level deeper.
    pub fn open(&mut self, text: &str) {
        self.indent();
        self.out.push_str(text);
        self.out.push_str(" {\n");
        self.depth += 1;
    }

    /// Like [`Code::open`], `format!`-style.
    pub fn open_fmt(&mut self, args: fmt::Arguments<'_>) {
        self.indent();
        self.out
            .write_fmt(args)
            .expect("writing to a String cannot fail");
        self.out.push_str(" {\n");
        self.depth += 1;
    }

    /// Back one level, then `}`.
    pub fn close(&mut self) {
        self.close_with("");
    }

    /// Back one level, then `}` followed by `suffix` (`,`, `)?;` …).
    pub fn close_with(&mut self, suffix: &str) {
        self.depth = self
            .depth
            .checked_sub(1)
            .expect("close without a matching open");
        self.indent();
        self.out.push('}');
        self.out.push_str(suffix);
        self.out.push('\n');
    }

    /// One level deeper without writing anything (for continued expressions).
    pub fn indent_in(&mut self) {
        self.depth += 1;
    }

    /// One level back without writing anything.
    pub fn indent_out(&mut self) {
        self.depth = self
            .depth
            .checked_sub(1)
            .expect("indent_out without indent_in");
    }

    /// An empty line (between items).
    pub fn blank(&mut self) {
        self.out.push('\n');
    }

    /// `///` lines from a spec description (see [`super::docs::doc_lines`]);
    /// nothing for `None` or a blank description.
    pub fn docs(&mut self, description: Option<&str>) {
        if let Some(text) = description {
            for line in super::docs::doc_lines(text) {
                self.doc(&line);
            }
        }
    }

    /// One `///` line (`///` alone for an empty one).
    pub fn doc(&mut self, line: &str) {
        self.indent();
        if line.is_empty() {
            self.out.push_str("///\n");
        } else {
            self.out.push_str("/// ");
            self.out.push_str(line);
            self.out.push('\n');
        }
    }

    /// Appends top-level `items` (as another [`Code`] wrote them), each
    /// behind the attribute `cfg` (`#[cfg(feature = "a")]`): it goes before
    /// the first line (docs, attributes) of every item.
    pub fn items_behind(&mut self, cfg: &str, items: &str) {
        debug_assert_eq!(self.depth, 0, "items go at the top level");
        let mut at_item_start = true;
        for line in items.lines() {
            let top_level = !line.is_empty() && !line.starts_with(' ');
            if top_level && at_item_start {
                self.line(cfg);
                at_item_start = false;
            }
            self.line(line);
            // A doc comment or an attribute may end in `;` too; neither ends an item.
            let code_line = !line.starts_with("//") && !line.starts_with("#[");
            if top_level && code_line && (line == "}" || line.ends_with(';')) {
                at_item_start = true;
            }
        }
    }

    /// The source written so far.
    pub fn finish(self) -> String {
        debug_assert_eq!(self.depth, 0, "unbalanced open/close");
        self.out
    }
}

/// `text` as a Rust string literal, quoted and escaped (`"a\"b"`).
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float as a Rust `f64` literal (`1f64`, `0.5f64`), as `quote` writes it.
pub fn f64_literal(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}f64")
    } else {
        format!("{value:?}f64")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_lines_and_docs() {
        let mut code = Code::new();
        code.docs(Some("A <code>thing</code>.\n\nMore."));
        code.open("pub struct A");
        line!(code, "pub {}: {},", "b", "i64");
        code.close();
        assert_eq!(
            code.finish(),
            "/// A `thing`.\n///\n/// More.\npub struct A {\n    pub b: i64,\n}\n"
        );
    }

    #[test]
    fn gates_every_top_level_item() {
        let items = "/// A;\n#[derive(Clone)]\npub struct A {\n    b: i64,\n}\npub type C = A;\nimpl A {\n    fn d() {}\n}\n";
        let mut code = Code::new();
        code.items_behind("#[cfg(x)]", items);
        assert_eq!(
            code.finish(),
            "#[cfg(x)]\n/// A;\n#[derive(Clone)]\npub struct A {\n    b: i64,\n}\n#[cfg(x)]\npub type C = A;\n#[cfg(x)]\nimpl A {\n    fn d() {}\n}\n"
        );
    }

    #[test]
    fn literals_round_trip_through_syn() {
        for text in [
            "plain",
            "quote \" and \\ back",
            "line\nbreak\ttab",
            "é\u{1}",
        ] {
            let lit: syn::LitStr = syn::parse_str(&string_literal(text)).unwrap();
            assert_eq!(lit.value(), text);
        }
        for value in [0.0, 1.0, 0.5, 1e20, 12.25] {
            let literal = f64_literal(value);
            let digits = literal.strip_suffix("f64").unwrap();
            assert_eq!(digits.parse::<f64>().unwrap(), value, "{literal}");
        }
    }
}
