//! The plain text a sheet is found by: what search indexes and cuts excerpts from.

use crate::program::Program;

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

/// Lower-cased, accents folded: « Écrits » and « ecrits » compare equal.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}
