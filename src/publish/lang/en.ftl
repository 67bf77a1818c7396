# errata's published pages and corrections log, in English.
# Each line is `key = text`; `{ $name }` is filled in by errata. Keep every key of
# this file in the other languages' files (a test checks). Text is plain: no HTML.
# Plural forms follow Fluent's syntax: https://projectfluent.org/fluent/guide/

## Verdicts, as readers see them
verdict-accurate = Accurate
verdict-mostly-accurate = Mostly accurate
verdict-misleading = Misleading
verdict-inaccurate = Inaccurate
verdict-unverifiable = Unverifiable

## Dates: an ISO date (2024-01-01) as the reader reads it
date = { $year }-{ $month2 }-{ $day2 }

episode-with-date = { $title } ({ $date })

## Every page
default-show = Fact-checks
nav-corrections = Corrections
about-score-title = About the score.
about-score = The accuracy score is the share of rated claims (checked or corrected, leaving out those rated unverifiable) that were rated accurate or mostly accurate, out of 100. A claim corrected later still counts against the episode it was said in. Claims not yet checked are not in the score: read it beside their number.
fact-checks-by = Fact-checks by { $desk }.

## The index
index-title = { $show }: fact-checks
index-lede = What the show said, what we checked, and what we corrected.
corrections-so-far = { $n ->
    [0] No corrections so far
    [one] 1 correction so far
   *[other] { $n } corrections so far
}
no-episodes = No episodes yet.

## An episode's page
listen = Listen to the episode
aired-heading = Corrections aired in this episode
aired-at = At { $time }: { $claims }
in-the-log = (in the log)
none-checked = No claim of this episode has been checked yet.
badge-corrected = Corrected
badge-owed = Correction owed
said-by-at = Said by { $speaker } at { $time } in the episode
said-by = Said by { $speaker }
said-at = At { $time } in the episode
sources = Sources
correction = Correction
corrected-on-air = Corrected on air in { $episode } at { $time }
corrected-show-notes = Corrected in the show notes of { $episode } at { $time }
corrected-website = Corrected on the website, for { $episode } at { $time }
corrected-social = Corrected on social media, for { $episode } at { $time }
permalink = Link to this fact-check

## Scorecards
accuracy-score = accuracy score
not-scored = not scored yet
score-basis = { $good } of { $rated } rated { $rated ->
    [one] claim
   *[other] claims
} accurate or mostly accurate
no-claims-logged = No claims logged yet
one-claim-checked = The 1 logged claim is checked
all-claims-checked = All { $n } logged claims checked
some-unchecked = { $unchecked } of { $n } logged claims not yet checked
corrections-owed = { $n ->
    [one] 1 correction owed
   *[other] { $n } corrections owed
}
corrections-aired = { $n ->
    [one] 1 correction aired
   *[other] { $n } corrections aired
}

## The corrections log
corrections-title = Corrections
corrections-of = Corrections: { $show }
corrections-lede = When the show gets something wrong, we say so. Newest first.
no-corrections = No corrections so far.
log-heading = { $episode }, at { $time }
medium-on-air = Corrected on air.
medium-show-notes = Corrected in the show notes.
medium-website = Corrected on the website.
medium-social = Corrected on social media.
reported-by = {" "}Reported by { $who }.
what-was-said = What was said
said-in = {" "}in { $episode }
said-at-time = {" "}at { $time }
said-by-speaker = {" "}by { $speaker }
rated = , rated { $verdict }
colon = :
fact-check = fact-check
what-is-right = What is right
archived-copy = (archived copy)
untitled-source = (untitled source)

## A record's history
amended = Amended on { $date } by { $author }: { $summary }
moved-from = moved from { $path }
set-to = set to
removed = removed
added = added
verdict-changed = Verdict changed on { $date } from { $from } to { $to }.
history = History: { $n ->
    [one] 1 revision
   *[other] { $n } revisions
}

## The transcript page
transcript-link = Read the transcript, with the fact-checks marked
transcript-title = Transcript: { $episode }
transcript-lede = Each quote we checked is marked; follow it to the fact-check. Times link into the episode when it has an address.
transcript-back = Back to the fact-checks
