//! Cutting a page into headings, rules and paragraphs, and turning paragraphs back into clean
//! Markdown. The source pages come from a PDF-to-web scrape: lines are wrapped with trailing
//! double spaces and sentences are sometimes split across blank lines; both are mended here.

use crate::program::ProgramKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Line number of the first line.
    pub line: usize,
    /// The paragraph's lines, each trimmed of its trailing hard-break spaces.
    pub lines: Vec<String>,
    /// The lines joined with newlines.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading { level: usize, text: String, line: usize },
    Rule { line: usize },
    Paragraph(Paragraph),
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&level) {
        let rest = &line[level..];
        if rest.is_empty() || rest.starts_with(' ') {
            return Some((level, rest.trim()));
        }
    }
    None
}

fn is_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && (t.chars().all(|c| c == '-') || t.chars().all(|c| c == '*') || t.chars().all(|c| c == '_'))
}

pub fn split(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Paragraph> = None;
    let flush = |current: &mut Option<Paragraph>, blocks: &mut Vec<Block>| {
        if let Some(mut p) = current.take() {
            p.text = p.lines.join("\n");
            blocks.push(Block::Paragraph(p));
        }
    };
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut current, &mut blocks);
        } else if let Some((level, text)) = heading(line.trim_start()) {
            flush(&mut current, &mut blocks);
            blocks.push(Block::Heading { level, text: text.to_owned(), line: line_no });
        } else if is_rule(line) {
            flush(&mut current, &mut blocks);
            blocks.push(Block::Rule { line: line_no });
        } else {
            let p = current.get_or_insert_with(|| Paragraph { line: line_no, lines: Vec::new(), text: String::new() });
            p.lines.push(line.trim_end().to_owned());
        }
    }
    flush(&mut current, &mut blocks);
    blocks
}

/// Text without Markdown emphasis or link syntax, whitespace collapsed.
pub fn plain_text(text: &str) -> String {
    let mut out = text.replace("**", "").replace("__", "");
    // [label](target) → label
    while let Some(start) = out.find('[') {
        let Some(mid) = out[start..].find("](").map(|i| start + i) else { break };
        let Some(end) = out[mid..].find(')').map(|i| mid + i) else { break };
        let label = out[start + 1..mid].to_owned();
        out.replace_range(start..=end, &label);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// « Intra CL » / « Inter RA » alone in a paragraph: the kind of the program and its tag.
pub fn kind_marker(p: &Paragraph) -> Option<(ProgramKind, Option<String>)> {
    if p.lines.len() != 1 {
        return None;
    }
    let text = plain_text(&p.text);
    let mut words = text.split_whitespace();
    let kind = ProgramKind::parse(words.next()?)?;
    let tag: Vec<&str> = words.collect();
    if tag.len() > 2 || tag.iter().any(|w| w.len() > 12) {
        return None;
    }
    Some((kind, if tag.is_empty() { None } else { Some(tag.join(" ")) }))
}

/// Labels that the source pages write as a plain line instead of a heading.
const KNOWN_LABELS: [&str; 4] = ["intervenant", "intervenants", "contexte de la mission", "programme"];

pub fn is_known_label(label: &str) -> bool {
    let folded = deunicode::deunicode(label).to_lowercase();
    KNOWN_LABELS.iter().any(|l| deunicode::deunicode(l) == folded)
}

/// A one-line paragraph that reads like a heading (« Accessibilité: », « Intervenant »).
pub fn pseudo_heading(p: &Paragraph) -> Option<String> {
    if p.lines.len() != 1 {
        return None;
    }
    let text = plain_text(&p.text);
    let label = text.trim_end_matches([':', ' ', '\u{a0}']).trim();
    if label.is_empty() || label.len() > 70 || label.starts_with(['-', '*', '(', '«']) {
        return None;
    }
    // « **Evaluation à froid** : réalisée… » is a labelled value, not a heading.
    if label.contains(['.', ';', '!', '?', ':']) {
        return None;
    }
    Some(label.to_owned())
}

fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") || {
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && t[digits..].starts_with(". ")
    }
}

fn starts_lowercase(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_lowercase)
}

/// Lines of one paragraph as Markdown: wrapped lines joined, list items kept one per line.
fn paragraph_lines(p: &Paragraph) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in &p.lines {
        let t = line.trim();
        match out.last_mut() {
            Some(last) if !is_list_item(t) => {
                last.push(' ');
                last.push_str(t);
            }
            _ => out.push(if is_list_item(t) { line.trim_end().to_owned() } else { t.to_owned() }),
        }
    }
    out
}

/// Paragraphs as clean Markdown. A paragraph that starts in lowercase continues the previous one
/// (a sentence the scrape split across blank lines).
pub fn to_markdown(paragraphs: &[Paragraph]) -> String {
    let mut out: Vec<Vec<String>> = Vec::new();
    for p in paragraphs {
        let lines = paragraph_lines(p);
        match (out.last_mut(), lines.first()) {
            (Some(prev), Some(first)) if starts_lowercase(first) && !is_list_item(first) => {
                let last = prev.last_mut().expect("paragraphs are never empty");
                last.push(' ');
                last.push_str(first);
                prev.extend(lines.into_iter().skip(1));
            }
            _ => out.push(lines),
        }
    }
    out.into_iter().map(|p| p.join("\n")).collect::<Vec<_>>().join("\n\n").trim().to_owned()
}

/// All paragraphs as one line of plain text (sidebar fields).
pub fn one_line(paragraphs: &[Paragraph]) -> String {
    plain_text(&paragraphs.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" "))
}

/// List items of the paragraphs, as plain text.
pub fn list_items(paragraphs: &[Paragraph]) -> Vec<String> {
    paragraphs
        .iter()
        .flat_map(paragraph_lines)
        .filter(|l| is_list_item(l))
        .map(|l| {
            let t = l.trim_start();
            let body = t.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches(['-', '*', '+', '.']);
            plain_text(body).trim_end_matches([',', ';']).trim().to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect()
}
