//! Spec descriptions to rustdoc. Stripe's descriptions mix Markdown with a
//! little HTML; this turns the common tags into Markdown, joins wrapped lines
//! (so no list item has a lazy continuation line) and yields `#[doc]` attributes.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes for a description; nothing for `None` or blank.
pub fn doc_attrs(description: Option<&str>) -> TokenStream {
    let Some(text) = description else {
        return TokenStream::new();
    };
    let lines = doc_lines(text);
    let lines = lines.iter().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// The description as rustdoc lines, paragraphs separated by an empty line.
pub fn doc_lines(text: &str) -> Vec<String> {
    let text = html_to_markdown(text);
    let mut out: Vec<String> = Vec::new();
    for paragraph in text.split("\n\n") {
        let mut lines: Vec<String> = Vec::new();
        for raw in paragraph.lines() {
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            let starts_item = line.starts_with("- ")
                || line.starts_with("* ")
                || line
                    .split_once(". ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            match lines.last_mut() {
                Some(last) if !starts_item => {
                    last.push(' ');
                    last.push_str(line);
                }
                _ => lines.push(line.to_owned()),
            }
        }
        if lines.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(lines);
    }
    out
}

fn html_to_markdown(text: &str) -> String {
    let mut s = text.replace("\r\n", "\n");
    for (from, to) in [
        ("<p>", ""),
        ("</p>", "\n\n"),
        ("<br>", "\n"),
        ("<br/>", "\n"),
        ("<br />", "\n"),
        ("<code>", "`"),
        ("</code>", "`"),
        ("<strong>", "**"),
        ("</strong>", "**"),
        ("<em>", "*"),
        ("</em>", "*"),
        ("<ul>", "\n\n"),
        ("</ul>", "\n\n"),
        ("<li>", "\n- "),
        ("</li>", ""),
    ] {
        s = s.replace(from, to);
    }
    // <a href="url">text</a> -> [text](url)
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(start) = rest.find("<a href=\"") {
        let after = &rest[start + 9..];
        let parsed = after.split_once('"').and_then(|(href, tail)| {
            let tail = tail.split_once('>')?.1;
            let (label, tail) = tail.split_once("</a>")?;
            Some((href, label, tail))
        });
        match parsed {
            Some((href, label, tail)) => {
                out.push_str(&rest[..start]);
                out.push_str(&format!("[{label}]({href})"));
                rest = tail;
            }
            None => {
                out.push_str(&rest[..start + 9]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_wrapping_become_markdown_paragraphs() {
        let lines = doc_lines(
            "<p>Returns a <code>list</code>, see <a href=\"/docs\">docs</a>.</p><p>Second\nline.</p>",
        );
        assert_eq!(
            lines,
            ["Returns a `list`, see [docs](/docs).", "", "Second line."]
        );
        let lines = doc_lines("Intro:\n- one\n  more\n- two");
        assert_eq!(lines, ["Intro:", "- one more", "- two"]);
    }
}
