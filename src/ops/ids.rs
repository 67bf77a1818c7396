//! New ids for records: readable words from the record's text, then four
//! random characters, so two editors adding records at once on their own
//! clones never pick the same id for different records, without asking each
//! other. Uses only `model`.

use rand::Rng;

use crate::model::{ClaimId, CorrectionId, IdError};

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "of", "to", "in", "on", "and",
    "or", "s", "that", "this", "it", "its", "for", "with", "as", "by", "at", "from", "has", "have",
    "had", "than", "not", "no", "will", "would", "can", "could",
];

/// 34^4 suffixes: this many tries all taken means something else is wrong.
const TRIES: usize = 100;

/// A readable slug from the first meaningful ASCII words of a text.
pub(super) fn slug(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.as_str()))
        .take(5)
    {
        if out.len() + word.len() + 1 > 40 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    out
}

/// Four random characters (no `l` or `o`, easily misread).
fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijkmnpqrstuvwxyz";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `base` plus a random suffix, parsed by `parse`, until one is not `taken`;
/// `None` when [`TRIES`] of them all are.
fn suffixed<T>(
    base: &str,
    parse: impl Fn(&str) -> Result<T, IdError>,
    taken: impl Fn(&T) -> bool,
) -> Result<Option<T>, IdError> {
    for _ in 0..TRIES {
        let id = parse(&format!("{base}-{}", random_suffix()))?;
        if !taken(&id) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// A new claim id from the claim's words (else the quote's, else the tags').
pub(super) fn claim_id(
    claim: Option<&str>,
    quote: Option<&str>,
    tags: &[&str],
    taken: impl Fn(&ClaimId) -> bool,
) -> Result<Option<ClaimId>, IdError> {
    let base = [claim, quote]
        .into_iter()
        .flatten()
        .map(slug)
        .chain(std::iter::once(slug(&tags.join(" "))))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "claim".to_owned());
    suffixed(&base, ClaimId::new, taken)
}

/// A new correction id: readable words from the text when it is mostly in Latin
/// letters (else, as for Chinese, from the first claim's id).
pub(super) fn correction_id(
    text: &str,
    first_claim: Option<&ClaimId>,
    taken: impl Fn(&CorrectionId) -> bool,
) -> Result<Option<CorrectionId>, IdError> {
    // A Chinese text with a product name or two makes a poor slug ("graphcast-
    // graphcast"); the claim's id says more.
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    let other = text
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii())
        .count();
    let from_text = if latin > other {
        slug(text)
    } else {
        String::new()
    };
    let base = match (from_text.is_empty(), first_claim) {
        (false, _) => from_text,
        (true, Some(claim)) => shorten(claim.as_str(), 40),
        (true, None) => "correction".to_owned(),
    };
    suffixed(&base, CorrectionId::new, taken)
}

/// An id cut to at most `max` characters at a hyphen, so it stays whole words.
fn shorten(id: &str, max: usize) -> String {
    if id.len() <= max {
        return id.to_owned();
    }
    let cut = &id[..max];
    match cut.rfind('-') {
        Some(i) if i > 0 => cut[..i].to_owned(),
        _ => cut.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_ids_come_from_words() {
        let id = claim_id(Some("ACME's revenue doubled in 2023."), None, &[], |_| {
            false
        })
        .unwrap()
        .unwrap();
        assert!(
            id.as_str().starts_with("acme-revenue-doubled-2023-"),
            "{id}"
        );
        let id = claim_id(None, Some("他的利潤高達70幾%耶"), &["nvidia"], |_| false)
            .unwrap()
            .unwrap();
        assert!(id.as_str().starts_with("70-"), "{id}");
        let id = claim_id(None, Some("他的利潤"), &[], |_| false)
            .unwrap()
            .unwrap();
        assert!(id.as_str().starts_with("claim-"), "{id}");
    }

    #[test]
    fn correction_ids_come_from_latin_words_or_the_claim() {
        let claim = ClaimId::new("graphcast-no-supercomputers").unwrap();
        let id = correction_id(
            "GraphCast still needs a supercomputer for its input.",
            Some(&claim),
            |_| false,
        )
        .unwrap()
        .unwrap();
        assert!(
            id.as_str()
                .starts_with("graphcast-still-needs-supercomputer-"),
            "{id}"
        );
        let id = correction_id("上週說錯了:仍然需要超級電腦。", Some(&claim), |_| false)
            .unwrap()
            .unwrap();
        assert!(
            id.as_str().starts_with("graphcast-no-supercomputers-"),
            "{id}"
        );
        assert_eq!(id.as_str().len(), "graphcast-no-supercomputers-".len() + 4);
        let long = ClaimId::new(&format!("{}tail", "word-".repeat(11))).unwrap();
        let id = correction_id("", Some(&long), |_| false).unwrap().unwrap();
        assert!(id.as_str().len() <= 45, "{id}");
        assert!(!id.as_str().contains("--"), "{id}");
    }

    #[test]
    fn generated_ids_avoid_taken_ones_and_give_up_cleanly() {
        let claim = ClaimId::new("x").unwrap();
        assert_eq!(correction_id("", Some(&claim), |_| true), Ok(None));
        assert_eq!(claim_id(Some("x"), None, &[], |_| true), Ok(None));
    }
}
