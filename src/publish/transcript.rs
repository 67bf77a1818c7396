//! An episode's transcript as a page of the site: every segment with its time
//! (a link into the episode's audio, `url#t=SECONDS`, when the episode has an
//! address), and every published claim's quote marked where it was said and
//! linked to its fact-check, so a listener reads the episode with its
//! fact-checks inline. Quotes are found as `Transcript::find` finds them,
//! whitespace aside, and may run across segments. Uses `transcript` and the
//! site's escaping; knows nothing of the other pages but their file names.

use std::fmt::Write as _;
use std::ops::Range;

use super::i18n::Lang;
use super::{escape_html, external_link, link_at, safe_href};
use crate::model::{Claim, Episode};
use crate::transcript::{Segment, Transcript, format_time};

/// A quote found in the transcript: for each segment it touches, the byte
/// range of the quote's words in that segment's text.
type Place = Vec<(usize, Range<usize>)>;

/// Every place `quote` occurs, whitespace ignored as quotes are matched
/// everywhere in errata (speech recognition breaks phrases at random).
fn places(segments: &[Segment], quote: &str) -> Vec<Place> {
    let needle: String = quote.chars().filter(|c| !c.is_whitespace()).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    // The transcript's non-space characters in one string, and where each came from.
    let mut hay = String::new();
    let mut from: Vec<(usize, usize, usize)> = Vec::new(); // (hay byte, segment, byte in segment)
    for (i, seg) in segments.iter().enumerate() {
        for (b, c) in seg.text.char_indices() {
            if !c.is_whitespace() {
                from.push((hay.len(), i, b));
                hay.push(c);
            }
        }
    }
    let mut out = Vec::new();
    for (at, _) in hay.match_indices(&needle) {
        let first = from.partition_point(|(h, _, _)| *h < at);
        let last = from.partition_point(|(h, _, _)| *h < at + needle.len()) - 1;
        let mut place: Place = Vec::new();
        for &(_, seg, byte) in &from[first..=last] {
            let len = segments[seg].text[byte..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
            match place.last_mut() {
                Some((s, r)) if *s == seg => r.end = byte + len,
                _ => place.push((seg, byte..byte + len)),
            }
        }
        out.push(place);
    }
    out
}

/// The place of each claim's quote: where it was said when that is known
/// (the occurrence in its time), else the first.
fn claim_places<'a>(t: &Transcript, claims: &[&'a Claim]) -> Vec<(&'a Claim, Place)> {
    let mut out = Vec::new();
    for c in claims {
        let Some(q) = c.quote.as_deref() else {
            continue;
        };
        let all = places(&t.segments, q);
        let in_time = c.said_at.and_then(|at| {
            all.iter().find(|p| {
                p.first().is_some_and(|(s, _)| {
                    let seg = &t.segments[*s];
                    seg.end >= at.start() && seg.start <= at.end()
                })
            })
        });
        if let Some(p) = in_time.or(all.first()) {
            out.push((*c, p.clone()));
        }
    }
    out
}

/// The transcript as the body of a page. `claims` are the claims to mark,
/// each linked to where `link` says its fact-check is.
pub fn html(
    lang: &Lang,
    ep: &Episode,
    t: &Transcript,
    claims: &[&Claim],
    link: &dyn Fn(&Claim) -> String,
) -> String {
    // For each segment, the marks in it: (byte range, claim), in order, none overlapping.
    let mut marks: Vec<Vec<(Range<usize>, &Claim)>> = vec![Vec::new(); t.segments.len()];
    for (claim, place) in claim_places(t, claims) {
        for (seg, range) in place {
            marks[seg].push((range, claim));
        }
    }
    let audio = safe_href(ep.url.as_deref());
    let mut s = String::from("<section class=\"transcript\">\n");
    for (i, seg) in t.segments.iter().enumerate() {
        let time = escape_html(&format_time(seg.start));
        let time = audio
            .and_then(|u| external_link(&link_at(u, Some(seg.start)), Some("time"), &time))
            .unwrap_or_else(|| format!("<span class=\"time\">{time}</span>"));
        let mut text = String::new();
        let mut done = 0;
        let mine = &mut marks[i];
        mine.sort_by_key(|(r, _)| r.start);
        for (range, claim) in mine.iter() {
            if range.start < done {
                continue; // Two quotes over the same words: the first keeps them.
            }
            text.push_str(&escape_html(&seg.text[done..range.start]));
            let verdict = claim
                .state
                .verdict()
                .map(|v| lang.verdict(v))
                .unwrap_or_default();
            let _ = write!(
                text,
                "<mark class=\"quote-mark\"><a href=\"{}\" title=\"{}\">{}</a></mark>",
                escape_html(&link(claim)),
                escape_html(&verdict),
                escape_html(&seg.text[range.clone()]),
            );
            done = range.end;
        }
        text.push_str(&escape_html(&seg.text[done..]));
        let _ = writeln!(
            s,
            "<p class=\"segment\" id=\"t-{}\">{time} {text}</p>",
            seg.start
        );
    }
    s.push_str("</section>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: u32, text: &str) -> Segment {
        Segment::new(start, start + 60, text)
    }

    #[test]
    fn a_quote_is_found_across_spaces_and_segments() {
        let segs = [seg(0, "他的利潤 高達70"), seg(60, "幾%耶 還有")];
        let found = places(&segs, "他的利潤高達70幾%耶");
        assert_eq!(found.len(), 1);
        let p = &found[0];
        assert_eq!(p.len(), 2);
        assert_eq!(&segs[0].text[p[0].1.clone()], "他的利潤 高達70");
        assert_eq!(&segs[1].text[p[1].1.clone()], "幾%耶");
        assert!(places(&segs, "  ").is_empty());
        assert!(places(&segs, "不在這裡").is_empty());
    }
}
