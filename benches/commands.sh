#!/usr/bin/env bash
# Command benchmark: what errata's everyday commands cost on a synthetic
# repository (100,000 claims, 20,000 commits) beside git doing the same work:
#
#   benches/commands.sh DIR
#
# Make DIR with `cargo run --release --example synth -- DIR`. It is copied to
# a scratch folder first (the single-record commands commit), so DIR is left
# as it was. Each row is a pair timed in one run, git and errata alternating,
# RUNS times (default 7), output to /dev/null; it prints both medians, their
# ratio, and errata's peak memory (max RSS of one more run, /usr/bin/time):
#   git status                      vs  errata list, warm (cache built)
#   git status                      vs  errata validate, warm
#   git add F && git commit (new F) vs  errata add EPISODE --claim TEXT
#   git add F && git commit         vs  errata start ID --assignee NAME
#                                       errata verdict ID unverifiable --note N
#                                       errata source ID --url URL
#                                       errata correct ID --episode E --at T
#                                       (each run corrects a claim given its
#                                       misleading verdict before, untimed)
#   git show HEAD:PATH              vs  errata show ID
# ERRATA=path times another errata binary (an older build, say).
set -euo pipefail

[[ $# -eq 1 && -d $1/.git && -d $1/claims ]] || {
    echo "usage: $0 DIR (a synthetic repository)" >&2
    exit 2
}
DIR=$(realpath "$1")
crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${ERRATA:-} ]]; then
    (cd "$crate" && cargo build --release --quiet)
    ERRATA=${CARGO_TARGET_DIR:-$crate/target}/release/errata
fi
RUNS=${RUNS:-7}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/errata-commands.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export NO_COLOR=1 GIT_PAGER=cat

echo "copying $DIR to $scratch" >&2
cp -a "$DIR" "$scratch/repo"
cd "$scratch/repo"
git config user.name >/dev/null || git config user.name "Bench Editor"
git config user.email >/dev/null || git config user.email "bench@example.org"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", a[int((NR+1)/2)]}'; }
peak() { # peak COMMAND: max RSS in MiB of one run, with $n and $c as set
    if [[ -x /usr/bin/time ]]; then
        n=$n c=${c:-} /usr/bin/time -f %M -o "$scratch/rss" bash -c "$1" >/dev/null 2>&1 || true
        awk '{printf "%.0f", $1 / 1024}' "$scratch/rss"
    else
        echo n/a
    fi
}

# pair LABEL PREP GIT ERRATA: shell commands, run in the copy with $n the
# run's number; PREP runs (untimed) before each errata run.
n=0
pair() {
    local label=$1 prep=$2 gcmd=$3 ecmd=$4 g=() e=() s
    for _ in $(seq "$RUNS"); do
        n=$((n + 1))
        s=$(now); eval "$gcmd" >/dev/null 2>&1 || true; g+=("$(echo "$(now) - $s" | bc)")
        eval "$prep" >/dev/null 2>&1 || true
        s=$(now); eval "$ecmd" >/dev/null 2>&1 || true; e+=("$(echo "$(now) - $s" | bc)")
    done
    n=$((n + 1))
    eval "$prep" >/dev/null 2>&1 || true
    local gm em mem
    mem=$(peak "$ecmd")
    gm=$(printf '%s\n' "${g[@]}" | median)
    em=$(printf '%s\n' "${e[@]}" | median)
    printf '%-34s git %7.3f s  errata %7.3f s  ratio %5.2f  peak %4s MiB\n' "$label" "$gm" "$em" \
        "$(echo "$em / $gm" | bc -l)" "$mem"
}

EP=ep-0500
# A claim that needs checking in $EP is started, judged and cited again and
# again; each run of `correct` corrects another claim of $EP, not yet corrected.
one=$(grep -l '^status = "needs-check"' claims/$EP/*.toml | sort | sed -n 1p)
[[ -n $one ]] || { echo "no open claim in $EP" >&2; exit 1; }
onepath=$one
one=$(basename "$one" .toml)
mapfile -t uncorrected < <(grep -L '^status = "corrected"' claims/$EP/*.toml | grep -v -e "/$one.toml" -e episode.toml | sort)
((${#uncorrected[@]} > RUNS)) || { echo "too few claims to correct in $EP" >&2; exit 1; }
k=0
next_claim() { c=$(basename "${uncorrected[$k]}" .toml); k=$((k + 1)); }
# git's side changes another file, one line a run.
GFILE=$(find claims/ep-0499 -name '*.toml' ! -name episode.toml | sort | sed -n 1p)
GIT_COMMIT='echo "# run $n" >> $GFILE && git add $GFILE && git commit -q -m "edit $n"'
E=$(printf '%q' "$ERRATA")

echo "$(git rev-list --count HEAD) commits, $(find claims -name '*.toml' | wc -l) record files; runs: $RUNS"
eval "$E list" >/dev/null 2>&1
eval "$E validate" >/dev/null 2>&1 || true
pair "list, warm" ":" "git status" "$E list"
pair "validate, warm" ":" "git status" "$E validate"
pair "add" ":" \
    'printf "status = \"needs-check\"\nclaim = \"git %s\"\n" $n > claims/$EP/git-$n.toml && git add claims/$EP/git-$n.toml && git commit -q -m "add $n"' \
    "$E add $EP --claim \"Bench claim number \$n\""
pair "start (hand to another)" ":" "$GIT_COMMIT" "$E start $one --assignee \"Bench \$n\""
pair "verdict" ":" "$GIT_COMMIT" "$E verdict $one unverifiable --note \"Bench note \$n\""
pair "source" ":" "$GIT_COMMIT" "$E source $one --url https://example.org/bench/\$n"
pair "correct" \
    "next_claim; $E verdict \$c misleading --source https://example.org/c/\$n" \
    "$GIT_COMMIT" "$E correct \$c --episode $EP --at 01:00 --text \"Bench correction \$n\""
pair "show" ":" "git show HEAD:$onepath" "$E show $one"
