//! The text a sheet is found by, and the cleaning of what users type.

use forma_domain::Program;

/// Markdown to plain words: emphasis, list bullets and link targets removed.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let line = line.trim_start().trim_start_matches(['-', '*', '+', '#']).trim_start();
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            out.push_str(&rest[..start]);
            rest = rest[start..].find(')').map_or("", |end| &rest[start + end + 1..]);
        }
        out.push_str(rest);
        out.push('\n');
    }
    out.replace("**", "").replace(['[', ']'], "")
}

/// Everything a visitor may search a sheet by, title excepted (indexed on its own).
pub fn program_text(p: &Program) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |text: Option<&str>| {
        if let Some(t) = text {
            parts.push(plain(t));
        }
    };
    push(p.audience.as_deref());
    push(p.category.as_deref());
    push(p.practical.markdown.as_deref());
    for trainer in &p.trainers {
        push(Some(&trainer.name));
        push(trainer.provider.as_deref());
    }
    for section in &p.content {
        push(Some(&section.heading));
        push(Some(&section.markdown));
    }
    push(p.methods.as_deref());
    let e = &p.evaluation;
    for text in [&e.markdown, &e.upstream, &e.ongoing, &e.hot, &e.cold] {
        push(text.as_deref());
    }
    push(p.accessibility.as_deref());
    push(p.access_delays.markdown.as_deref());
    for section in &p.other_sections {
        push(Some(&section.markdown));
    }
    parts.join("\n")
}

/// Words only: what users type is never read as query syntax (fields, quotes, operators).
pub fn query_words(query: &str) -> String {
    query
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .take(32)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The first words of a text, up to about `max` bytes, cut at a word boundary.
pub fn leading_words(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.len() <= max {
        return flat;
    }
    let mut cut = max;
    while !flat.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &flat[..cut];
    format!("{}…", head.rsplit_once(' ').map_or(head, |(h, _)| h))
}
