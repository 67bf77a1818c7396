#!/usr/bin/env bash
# History benchmark: errata log and errata diff beside git on the synthetic
# repository of benches/scale.sh (100,000 claims, 20,000 commits, tags v1 and v2).
#
#   benches/history.sh DIR
#
# DIR must exist (make it with `cargo run --release --example synth -- DIR`).
# Times, as min and median of RUNS runs (default 7), output to /dev/null:
#   git log --format=%H -- PATH    vs  errata log ID          (no commit-graph)
#   the same after `git commit-graph write --reachable --changed-paths`
#   git diff --stat v1 v2          vs  errata diff v1 v2 --stat
# PATH is the claim changed by the most of the last 5,000 commits, so the walk
# has revisions to find all the way down. The commit-graph file is removed
# again at the end, leaving DIR as it was.
set -euo pipefail

[[ $# -eq 1 && -d $1/.git ]] || { echo "usage: $0 DIR (a synthetic repository)" >&2; exit 2; }
DIR=$(realpath "$1")
crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$crate" && cargo build --release --quiet)
ERRATA=$crate/target/release/errata
RUNS=${RUNS:-7}
cd "$DIR"

# min and median seconds of RUNS runs of a command
time_it() {
    local ts=() t
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        ts+=("$(echo "$end - $start" | bc)")
    done
    printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[1], a[int((NR+1)/2)]}'
}

row() { # label, then the command; shows the times, prints the median
    local label=$1; shift
    read -r min med < <(time_it "$@")
    printf '%-44s min %6.3f s  median %6.3f s\n' "$label" "$min" "$med" >&2
    echo "$med"
}

path=$(git log -n 5000 --format= --name-only -- claims | grep '\.toml$' | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
id=$(basename "$path" .toml)
echo "claim: $id ($path), $(git log --format=%H -- "$path" | wc -l) revisions"
rm -f .git/objects/info/commit-graph
rm -rf .git/objects/info/commit-graphs

gl=$(row "git log --format=%H -- PATH" git log --format=%H -- "$path")
el=$(row "errata log ID" "$ERRATA" log "$id")
git commit-graph write --reachable --changed-paths >/dev/null 2>&1
glg=$(row "git log --format=%H -- PATH (commit-graph)" git log --format=%H -- "$path")
elg=$(row "errata log ID (commit-graph present)" "$ERRATA" log "$id")
rm -f .git/objects/info/commit-graph
rm -rf .git/objects/info/commit-graphs
gd=$(row "git diff --stat v1 v2" git diff --stat v1 v2)
ed=$(row "errata diff v1 v2 --stat" "$ERRATA" diff v1 v2 --stat)

echo
printf 'errata log / git log (no commit-graph):      %.2f  (goal <= 1.0)\n' "$(echo "$el / $gl" | bc -l)"
printf 'errata log / git log (git with commit-graph): %.2f\n' "$(echo "$elg / $glg" | bc -l)"
printf 'errata diff --stat / git diff --stat:         %.2f  (goal <= 1.5)\n' "$(echo "$ed / $gd" | bc -l)"
