#!/usr/bin/env bash
# Web benchmark: `errata serve` on a synthetic repository (100,000 claims in
# 1,000 episodes, 20,000 commits), its episode and claim pages asked for by 20
# clients at once through examples/serveload.rs (tokio and reqwest: nothing to
# install but Rust), against 127.0.0.1.
#
#   benches/serve.sh DIR
#
# Make DIR with `cargo run --release --example synth -- DIR --old 1` (the old
# claim, re-checked all through the history, is the slowest claim page: its
# history walks down to the root commit). Bounded: each run stops at REQUESTS
# answers (default 4000) or SECS seconds (default 120), CLIENTS at once (default 20).
# Rows, each a fresh server unless said (a fresh server has read nothing yet):
#   cold, first request      the very first episode page, then the first
#                            claim page (the old claim's), of a fresh server
#   episode pages            200 episodes in turn (each transcript read once)
#   claim pages, first sight 4000 claims, each once: every history walked
#   claim pages, again       the same 4000 claims, the server still warm
#   old claim                the old claim's page over and over
#   after a change           a claim started from the command line while the
#                            server runs, then one page: all records read again
# The median must stay under 50 ms and the 99th percentile under 200 ms.
set -euo pipefail

[[ $# -eq 1 && -d $1/.git ]] || { echo "usage: $0 DIR (a synthetic repository)" >&2; exit 2; }
DIR=$(realpath "$1")
crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$crate" && cargo build --release --quiet && cargo build --release --quiet --example serveload)
target=${CARGO_TARGET_DIR:-$crate/target}
ERRATA=$target/release/errata
LOAD=$target/release/examples/serveload
CLIENTS=${CLIENTS:-20} REQUESTS=${REQUESTS:-4000} SECS=${SECS:-120}
work=$(mktemp -d /tmp/errata-serve-bench.XXXX)
server=
stop() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    server=
}
trap 'stop; rm -rf "$work"' EXIT
cd "$DIR"

start() {
    stop
    rm -f "$work/addr"
    "$ERRATA" serve --port 0 >"$work/addr" 2>"$work/log" &
    server=$!
    base=
    for _ in $(seq 300); do
        base=$(sed -n 's|.*\(http://[^ ]*\)/$|\1|p' "$work/addr" 2>/dev/null)
        [[ -n $base ]] && break
        sleep 0.1
    done
    [[ -n $base ]] || { echo "the server did not start: $(cat "$work/log")" >&2; exit 1; }
}

# one LABEL FILE [CLIENTS] [REQUESTS]
run() { printf '%-26s ' "$1"; "$LOAD" "$base" "$2" "${3:-$CLIENTS}" "${4:-$REQUESTS}" "$SECS"; }

ls claims | sed -n '1,200s|^|/episodes/|p' >"$work/episodes"
find claims -name '*.toml' ! -name episode.toml | shuf -n 4000 --random-source=<(yes) \
    | sed 's|.*/\(.*\)\.toml$|/claims/\1|' >"$work/claims"
old=$(git log -n 5000 --format= --name-only -- claims | grep '\.toml$' | sort | uniq -c \
    | sort -rn | awk 'NR == 1 {print $2}')
old_id=$(basename "$old" .toml)
echo "/claims/$old_id" >"$work/old"
echo "$(git rev-list --count HEAD) commits, $(wc -l <"$work/claims") claims asked for;" \
    "old claim $old_id: $(git log --format=%H -- "$old" | wc -l) revisions"
echo "$CLIENTS clients, at most $REQUESTS requests or $SECS s a row"

start
head -1 "$work/episodes" >"$work/one"
run "cold, first episode page" "$work/one" 1 1
run "cold, first claim page" "$work/old" 1 1
run "episode pages" "$work/episodes"
start
run "claim pages, first sight" "$work/claims"
run "claim pages, again" "$work/claims"
run "old claim" "$work/old"
young=$({ grep -rl --include='*.toml' 'status = "needs-check"' claims/ep-05* || true; } | head -1)
young=$(basename "$young" .toml)
"$ERRATA" -q start "$young" --assignee bench >/dev/null
echo "/claims/$young" >"$work/young"
run "after a change, 1st page" "$work/young" 1 1
run "after a change, then" "$work/claims"
git reset -q --hard HEAD~1
stop
