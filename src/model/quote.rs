//! A quote's words as errata compares them: with every whitespace character left
//! out, as transcript search matches a quote against the transcript (speech
//! recognition puts spaces in odd places, and an editor copying a quote keeps or
//! drops them at will). [`QuoteKey`] is a fixed 64-bit fingerprint of those words,
//! small enough to keep in every claim summary, so checks across 100,000 claims
//! compare quotes without reading a record.

use serde::{Deserialize, Serialize};

/// The characters of a quote that count: all but whitespace.
pub fn quote_words(quote: &str) -> impl Iterator<Item = char> + '_ {
    quote.chars().filter(|c| !c.is_whitespace())
}

/// A fingerprint of a quote's words (FNV-1a over their UTF-8 bytes): equal for
/// quotes that differ only in whitespace. Its value is fixed by this definition,
/// not by the compiler's hasher, so a cached key means the same in every build.
/// Different words share a key with a chance of 2^-64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QuoteKey(u64);

impl QuoteKey {
    /// The key of a quote; `None` when it has no words at all.
    pub fn of(quote: &str) -> Option<QuoteKey> {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut h = OFFSET;
        let mut any = false;
        let mut buf = [0u8; 4];
        for c in quote_words(quote) {
            any = true;
            for b in c.encode_utf8(&mut buf).bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(PRIME);
            }
        }
        any.then_some(QuoteKey(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_does_not_count() {
        let a = QuoteKey::of("他們的造價是 H100的 兩倍但是");
        assert_eq!(a, QuoteKey::of("他們的造價是H100的兩倍但是"));
        assert_eq!(a, QuoteKey::of(" 他們的造價是\tH100的\n兩倍但是 "));
        assert_ne!(a, QuoteKey::of("他們的造價是H100的三倍但是"));
        assert_ne!(QuoteKey::of("ab"), QuoteKey::of("abc"));
        assert_eq!(quote_words(" 70幾 %").collect::<String>(), "70幾%");
    }

    #[test]
    fn a_quote_without_words_has_no_key() {
        assert_eq!(QuoteKey::of(""), None);
        assert_eq!(QuoteKey::of(" \n\t "), None);
    }

    #[test]
    fn the_key_is_fixed_by_its_definition() {
        // FNV-1a 64 of "a", as published: a cache written by any build agrees.
        assert_eq!(QuoteKey::of(" a "), Some(QuoteKey(0xaf63_dc4c_8601_ec8c)));
    }
}
