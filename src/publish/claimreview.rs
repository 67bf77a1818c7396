//! schema.org ClaimReview, the markup search engines read to show a fact-check
//! beside the claim it reviews.
//!
//! One ClaimReview per checked or corrected claim. Its `url` is the claim's place
//! on the published site, `<url>/<episode>/#<claim-id>`, which is where
//! [`super::site`] puts it. The rating uses the scale of [`super::rating_value`].

use serde_json::{Map, Value, json};

use super::i18n::Lang;
use super::{BEST_RATING, Publisher, WORST_RATING, link_at, rating_value, safe_href};
use crate::model::{Claim, Date, Episode, EpisodeId};
use crate::store::Snapshot;

/// Where a claim's fact-check is published.
pub fn claim_url(publisher: &Publisher, episode: &EpisodeId, claim: &Claim) -> String {
    format!("{}/{episode}/#{}", publisher.url, claim.id)
}

/// The ClaimReview of one claim, or `None` for a claim without a verdict.
/// `published` is the review's `datePublished`.
pub fn claim_review(
    publisher: &Publisher,
    lang: &Lang,
    claim: &Claim,
    episode: Option<&Episode>,
    published: Date,
) -> Option<Value> {
    let verdict = claim.state.verdict()?;
    let mut rating = Map::new();
    rating.insert("@type".into(), json!("Rating"));
    if let Some(v) = rating_value(verdict) {
        rating.insert("ratingValue".into(), json!(v));
    }
    rating.insert("worstRating".into(), json!(WORST_RATING));
    rating.insert("bestRating".into(), json!(BEST_RATING));
    rating.insert("alternateName".into(), json!(lang.verdict(verdict)));

    let author = match claim.speaker.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(speaker) => json!({"@type": "Person", "name": speaker}),
        None => json!({"@type": "Organization", "name": publisher.show}),
    };
    let mut item = Map::new();
    item.insert("@type".into(), json!("Claim"));
    item.insert("author".into(), author);
    if let Some(d) = episode.and_then(|e| e.date) {
        item.insert("datePublished".into(), json!(d.to_string()));
    }
    if let Some(ep) = episode {
        item.insert("appearance".into(), appearance(publisher, ep, claim));
    }
    if let Some(q) = claim.quote.as_deref().filter(|q| !q.trim().is_empty()) {
        item.insert("text".into(), json!(q));
    }

    let mut review = Map::new();
    review.insert("@context".into(), json!("https://schema.org"));
    review.insert("@type".into(), json!("ClaimReview"));
    review.insert(
        "url".into(),
        json!(claim_url(publisher, &claim.episode, claim)),
    );
    review.insert("claimReviewed".into(), json!(claim.headline().trim()));
    review.insert("reviewRating".into(), Value::Object(rating));
    review.insert(
        "author".into(),
        json!({"@type": "Organization", "name": publisher.publisher, "url": publisher.url}),
    );
    review.insert("datePublished".into(), json!(published.to_string()));
    if let Some(lang) = &publisher.language {
        review.insert("inLanguage".into(), json!(lang));
    }
    review.insert("itemReviewed".into(), Value::Object(item));
    Some(Value::Object(review))
}

/// Where the claim was made: the episode at the moment it was said, when the
/// episode has an address; else the episode itself, named as a
/// `PodcastEpisode` of the show, which a reader (and a search engine) can
/// still find without a link.
fn appearance(publisher: &Publisher, ep: &Episode, claim: &Claim) -> Value {
    let mut appearance = Map::new();
    match safe_href(ep.url.as_deref()) {
        Some(url) => {
            appearance.insert("@type".into(), json!("CreativeWork"));
            appearance.insert(
                "url".into(),
                json!(link_at(url, claim.said_at.map(|t| t.start()))),
            );
        }
        None => {
            appearance.insert("@type".into(), json!("PodcastEpisode"));
            appearance.insert(
                "partOfSeries".into(),
                json!({"@type": "PodcastSeries", "name": publisher.show}),
            );
        }
    }
    appearance.insert("name".into(), json!(ep.title));
    if let Some(d) = ep.date {
        appearance.insert("datePublished".into(), json!(d.to_string()));
    }
    Value::Object(appearance)
}

/// ClaimReviews of every checked or corrected claim, of one episode or of all.
pub fn claim_reviews(
    snap: &Snapshot,
    publisher: &Publisher,
    episode: Option<&EpisodeId>,
    published: Date,
) -> Vec<Value> {
    let lang = Lang::for_tag(publisher.language.as_deref());
    snap.claims
        .iter()
        .filter(|c| episode.is_none_or(|e| &c.episode == e))
        .filter_map(|c| {
            claim_review(
                publisher,
                &lang,
                c,
                snap.episodes.get(&c.episode),
                published,
            )
        })
        .collect()
}
