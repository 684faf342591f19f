//! Test support shared by this crate's unit tests and the application's integration tests: a
//! small HTML form reader that posts a page's form back as a browser would, enough for the
//! markup Forma's templates write (double-quoted attributes, no comments inside tags).


pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// Byte offset just after the tag's `>`.
    pub end: usize,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let semi = after.find(';').expect("entity ends with ;");
        let entity = &after[1..semi];
        let ch = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = entity.strip_prefix('#').expect("numeric entity");
                char::from_u32(code.parse().expect("decimal entity")).expect("valid char")
            }
        };
        out.push(ch);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    out
}

/// Start tags, in document order, with their (unescaped) attributes.
pub fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(lt) = html[at..].find('<') {
        let start = at + lt + 1;
        let bytes = html.as_bytes();
        if !bytes.get(start).is_some_and(u8::is_ascii_alphabetic) {
            at = start;
            continue;
        }
        let mut i = start;
        while bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' && bytes[i] != b'>' {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if bytes[i] == b'=' {
                assert_eq!(bytes[i + 1], b'"', "unquoted attribute {attr} in <{name}>");
                let close = html[i + 2..].find('"').expect("closing quote") + i + 2;
                value = unescape(&html[i + 2..close]);
                i = close + 1;
            }
            attrs.push((attr, value));
        }
        out.push(Tag { name, attrs, end: i });
        at = i;
    }
    out
}

/// What a browser posts for this form: controls in order, checked radios only, the selected
/// option (or the first), textareas without the newline that follows their start tag.
pub fn submit(html: &str) -> Vec<u8> {
    let all = tags(html);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, tag) in all.iter().enumerate() {
        let Some(name) = tag.attr("name") else { continue };
        match tag.name.as_str() {
            "input" => {
                let kind = tag.attr("type").unwrap_or("text");
                if (kind == "radio" || kind == "checkbox") && tag.attr("checked").is_none() {
                    continue;
                }
                pairs.push((name.to_owned(), tag.attr("value").unwrap_or("").to_owned()));
            }
            "textarea" => {
                let close = html[tag.end..].find("</textarea>").expect("textarea closes") + tag.end;
                let text = unescape(&html[tag.end..close]);
                pairs.push((name.to_owned(), text.strip_prefix('\n').unwrap_or(&text).to_owned()));
            }
            "select" => {
                let close = html[tag.end..].find("</select>").expect("select closes") + tag.end;
                let options: Vec<&Tag> = all[k + 1..].iter().take_while(|t| t.end <= close).filter(|t| t.name == "option").collect();
                let chosen = options.iter().find(|o| o.attr("selected").is_some()).or(options.first()).expect("an option");
                pairs.push((name.to_owned(), chosen.attr("value").expect("option value").to_owned()));
            }
            _ => {}
        }
    }
    form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish().into_bytes()
}


/// The body a browser would post for the form whose start tag contains `marker` (for example
/// `action="/gestion/programmes/x" class="editor"`).
pub fn submit_form(page: &str, marker: &str) -> Vec<u8> {
    let start = page.find(marker).unwrap_or_else(|| panic!("no form with {marker}"));
    let open = page[..start].rfind("<form").expect("form start");
    let close = page[start..].find("</form>").expect("form end") + start;
    submit(&page[open..close])
}
