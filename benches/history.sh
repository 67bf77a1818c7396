#!/usr/bin/env bash
# History benchmark: errata log and errata diff beside git, on a synthetic
# repository (100,000 claims, 20,000 commits, tags v1 and v2), at both ends:
# a claim created in the root commit and edited all through the history (the
# "old" one: its walk goes down to the root) and the claim changed most in the
# last 5,000 commits (the "young" one: its walk stops where it was born).
#
#   benches/history.sh DIR
#
# Make DIR with `cargo run --release --example synth -- DIR --old 1` (without
# --old there is no old claim and its rows are left out).
# Each row is a pair timed in one run, git and errata alternating, RUNS times
# (default 7), output to /dev/null; it prints both medians and their ratio:
#   git log --format=%H -- PATH       vs  errata log ID (old, young; cold = no
#                                         history index, warm = index built)
#   git commit-graph write --reachable --changed-paths
#                                     vs  errata index (the history index in
#                                         full, as a cold log ID leaves it to
#                                         build in the background)
#   the same after `git commit-graph write --reachable --changed-paths`
#   git log --name-only -- claims corrections  vs  errata log (the changelog),
#                                         whole, and to its first line
#   git diff --stat v1 v2             vs  errata diff v1 v2 --stat
# The commit-graph file and the history index are removed again at the end.
set -euo pipefail

[[ $# -eq 1 && -d $1/.git ]] || { echo "usage: $0 DIR (a synthetic repository)" >&2; exit 2; }
DIR=$(realpath "$1")
crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$crate" && cargo build --release --quiet)
ERRATA=${CARGO_TARGET_DIR:-$crate/target}/release/errata
RUNS=${RUNS:-7}
cd "$DIR"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", a[int((NR+1)/2)]}'; }

# pair LABEL PREP GIT ERRATA: shell commands; PREP runs before each errata run
# (untimed), e.g. to remove the history index for a cold run.
pair() {
    local label=$1 prep=$2 gcmd=$3 ecmd=$4 g=() e=() s
    for _ in $(seq "$RUNS"); do
        s=$(now); eval "$gcmd" >/dev/null 2>&1 || true; g+=("$(echo "$(now) - $s" | bc)")
        eval "$prep"
        s=$(now); eval "$ecmd" >/dev/null 2>&1 || true; e+=("$(echo "$(now) - $s" | bc)")
        settle
    done
    local gm em
    gm=$(printf '%s\n' "${g[@]}" | median)
    em=$(printf '%s\n' "${e[@]}" | median)
    printf '%-46s git %7.3f s  errata %7.3f s  ratio %5.2f\n' "$label" "$gm" "$em" \
        "$(echo "$em / $gm" | bc -l)"
}

# A cold `errata log ID` on a long history leaves the rest of the history
# index to `errata index` in the background: wait for it, untimed, so that it
# neither runs beside the next timing nor writes the index a cold run removed.
settle() { while [[ -e .git/errata/pathindex.lock ]]; do sleep 0.02; done; }

no_graph() { rm -f .git/objects/info/commit-graph; rm -rf .git/objects/info/commit-graphs; }
COLD='settle; rm -f .git/errata/pathindex'
WARM=':'

root=$(git rev-list --max-parents=0 HEAD | head -1)
born=$(mktemp); trap 'rm -f "$born"' EXIT
git show --format= --name-only "$root" -- claims | grep '\.toml$' >"$born" || true
recent() { git log -n 5000 --format= --name-only -- claims | grep '\.toml$'; }
young=$(recent | grep -Fxv -f "$born" | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
old=$(recent | grep -Fx -f "$born" | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}' || true)
commits=$(git rev-list --count HEAD)
echo "$commits commits; runs: $RUNS"
echo "young claim: $young, $(git log --format=%H -- "$young" | wc -l) revisions"
[[ -n $old ]] && echo "old claim:   $old, $(git log --format=%H -- "$old" | wc -l) revisions"
echo

log_rows() { # SUFFIX
    if [[ -n $old ]]; then
        local oid; oid=$(basename "$old" .toml)
        pair "log ID, old claim, cold$1" "$COLD" "git log --format=%H -- $old" "$ERRATA log $oid"
        settle
        pair "log ID, old claim, warm$1" "$WARM" "git log --format=%H -- $old" "$ERRATA log $oid"
    fi
    local yid; yid=$(basename "$young" .toml)
    pair "log ID, young claim, cold$1" "$COLD" "git log --format=%H -- $young" "$ERRATA log $yid"
    "$ERRATA" index >/dev/null 2>&1
    pair "log ID, young claim, warm$1" "$WARM" "git log --format=%H -- $young" "$ERRATA log $yid"
    "$ERRATA" log -n 1 >/dev/null
    pair "changelog, first line$1" "$WARM" \
        "git log --name-only -- claims corrections | head -1" "$ERRATA log --no-pager | head -1"
    pair "changelog, whole$1" "$WARM" \
        "git log --name-only -- claims corrections" "$ERRATA log --no-pager"
}

no_graph
log_rows ""
# The background build in full, beside git building its own path index.
pair "history index, whole (errata index)" "$COLD" \
    "git commit-graph write --reachable --changed-paths; no_graph" "$ERRATA index"
git commit-graph write --reachable --changed-paths >/dev/null 2>&1
log_rows " (commit-graph)"
no_graph
pair "diff v1 v2 --stat" "$WARM" "git diff --stat v1 v2" "$ERRATA diff v1 v2 --stat"
rm -f .git/errata/pathindex
