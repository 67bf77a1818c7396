//! A page's text, and whether an excerpt is in it. Owns the charset (from the
//! `Content-Type` header, a byte-order mark, or the page's own `<meta>`; Big5
//! and GB18030 among them, through encoding_rs), the text of HTML (html5ever,
//! through scraper, leaving out scripts and styles), and the comparison: on
//! NFKC-normalised text, lowercased, with whitespace and punctuation left out,
//! so line breaks, full-width forms (７４％ = 74%), curly quotes and CJK
//! punctuation (，。「」) do not decide whether a page still says something.

use encoding_rs::Encoding;
use unicode_normalization::UnicodeNormalization;

/// The charset a `Content-Type` header names, if any.
fn header_charset(content_type: Option<&str>) -> Option<&'static Encoding> {
    let ct = content_type?;
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| Encoding::for_label(v.trim().trim_matches(['"', '\'']).as_bytes()))
            .flatten()
    })
}

/// The charset an HTML page declares in its first kilobytes:
/// `<meta charset="big5">` or `<meta http-equiv="Content-Type" content="text/html; charset=big5">`.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut at = 0;
    while let Some(pos) = find(&lower[at..], b"charset") {
        let mut i = at + pos + b"charset".len();
        at = i;
        while i < lower.len() && matches!(lower[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < lower.len() && matches!(lower[i], b' ' | b'"' | b'\'') {
            i += 1;
        }
        let start = i;
        while i < lower.len() && (lower[i].is_ascii_alphanumeric() || b"-_:.".contains(&lower[i])) {
            i += 1;
        }
        if let Some(e) = Encoding::for_label(&lower[start..i]) {
            return Some(e);
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The body as text: a byte-order mark first, then the header's charset, then
/// the page's own declaration, else UTF-8. Malformed bytes become U+FFFD.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let declared = header_charset(content_type).or_else(|| meta_charset(body));
    let encoding = declared.unwrap_or(encoding_rs::UTF_8);
    // `decode` honours a BOM over the label, as browsers do.
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
}

/// Whether a body is HTML, by its type or, lacking one, by its first bytes.
pub fn is_html(content_type: Option<&str>, text: &str) -> bool {
    match content_type.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }) {
        Some(t) if t == "text/html" || t == "application/xhtml+xml" => true,
        Some(t) if !t.is_empty() => false,
        _ => {
            let start = text
                .trim_start()
                .get(..15)
                .unwrap_or("")
                .to_ascii_lowercase();
            start.starts_with("<!doctype html") || start.starts_with("<html")
        }
    }
}

/// Whether a type is text errata can read an excerpt in.
pub fn is_text(content_type: Option<&str>) -> bool {
    let t = content_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    t.is_empty()
        || t.starts_with("text/")
        || t == "application/xhtml+xml"
        || t == "application/json"
        || t.ends_with("+xml")
        || t == "application/xml"
}

/// The text a reader sees on a page: its text nodes, without scripts, styles
/// and templates, each followed by a space (the comparison ignores spaces, but
/// the title and the text stay apart for anyone reading it).
pub fn page_text(html: &str) -> (String, Option<String>) {
    let doc = scraper::Html::parse_document(html);
    let mut out = String::with_capacity(html.len() / 2);
    for node in doc.tree.root().descendants() {
        let Some(text) = node.value().as_text() else {
            continue;
        };
        let hidden = node.ancestors().any(|a| {
            a.value().as_element().is_some_and(|e| {
                matches!(
                    e.name(),
                    "script" | "style" | "noscript" | "template" | "head"
                )
            })
        });
        if !hidden {
            out.push_str(text);
            out.push(' ');
        }
    }
    let title = scraper::Selector::parse("title")
        .ok()
        .and_then(|s| doc.select(&s).next().map(|t| t.text().collect::<String>()));
    (out, title)
}

/// Punctuation in any script: ASCII, Latin-1, General Punctuation (dashes,
/// curly quotes, zero-width spaces), CJK symbols and punctuation (、。「」),
/// and the vertical, small and full-width forms NFKC leaves alone.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32,
            0x00A1..=0x00BF | 0x00D7 | 0x00F7
            | 0x2000..=0x206F
            | 0x2E00..=0x2E7F
            | 0x3000..=0x303F
            | 0x30FB
            | 0xFE10..=0xFE1F
            | 0xFE30..=0xFE6F
            | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
            | 0xFEFF)
}

/// Text as the comparison sees it: NFKC (full-width letters and digits become
/// ASCII), lowercase, no whitespace, and no punctuation but `%` and a `.`
/// between digits, which carry figures (74.0% is not 740).
pub fn normalise(text: &str) -> String {
    let chars: Vec<char> = text.nfkc().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        if c == '%' {
            out.push(c);
            continue;
        }
        if c == '.' {
            let before = out.chars().last().is_some_and(|p| p.is_ascii_digit());
            let after = chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if before && after {
                out.push(c);
            }
            continue;
        }
        if is_punctuation(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Whether the page's (already normalised) text holds the excerpt. An excerpt
/// with nothing left to compare (only punctuation) is taken as found.
pub fn contains_excerpt(normalised_page: &str, excerpt: &str) -> bool {
    let needle = normalise(excerpt);
    needle.is_empty() || normalised_page.contains(&needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_ignores_whitespace_width_and_punctuation() {
        let page = normalise("NVIDIA\u{2019}s gross\n margin was 74%, a significant rise");
        assert!(contains_excerpt(&page, "NVIDIA's gross margin was 74%"));
        assert!(contains_excerpt(&page, "nvidia’s GROSS margin was ７４％"));
        assert!(!contains_excerpt(&page, "gross margin was 75%"));
        let zh = normalise("他的利潤高達 70 幾%耶。「真的」，");
        assert!(contains_excerpt(&zh, "他的利潤高達70幾％耶"));
        assert!(contains_excerpt(&zh, "真的"));
        // A figure's decimal point counts: 74.0% is not 740%.
        assert!(!contains_excerpt(
            &normalise("Gross margin of 740%"),
            "74.0%"
        ));
        assert!(contains_excerpt(
            &normalise("Gross margin of 74.0 %."),
            "margin of 74.0%"
        ));
    }

    #[test]
    fn charsets_come_from_the_header_the_bom_or_the_page() {
        let (big5, _, _) = encoding_rs::BIG5.encode("輝達毛利率");
        assert_eq!(decode(&big5, Some("text/html; charset=Big5")), "輝達毛利率");
        let page = [b"<meta charset=\"big5\"><p>".as_slice(), &big5].concat();
        assert!(decode(&page, Some("text/html")).contains("輝達毛利率"));
        let (gb, _, _) = encoding_rs::GB18030.encode("英伟达毛利率");
        let page = [
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb18030\">".as_slice(),
            &gb,
        ]
        .concat();
        assert!(decode(&page, None).contains("英伟达毛利率"));
        assert_eq!(
            decode("\u{feff}文字".as_bytes(), Some("text/plain; charset=big5")),
            "文字"
        );
    }

    #[test]
    fn page_text_leaves_out_scripts_and_styles() {
        let (text, title) = page_text(
            "<html><head><title>T 標題</title><style>p{}</style></head><body><p>Gross <b>margin</b></p><script>var x='hidden';</script></body></html>",
        );
        assert!(text.contains("Gross") && text.contains("margin"), "{text}");
        assert!(!text.contains("hidden") && !text.contains("p{}"), "{text}");
        assert_eq!(title.as_deref(), Some("T 標題"));
    }
}
