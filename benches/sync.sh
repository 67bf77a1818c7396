#!/usr/bin/env bash
# Sync benchmark: two editors' clones of the synthetic repository diverge, and
# the second takes in the first's work: errata sync beside git pull.
#
#   benches/sync.sh DIR [WORK]
#
# DIR is a synthetic repository (`cargo run --release --example synth -- DIR`:
# 100,000 claims, 20,000 commits). In WORK (default: a new temp folder) it makes
# a bare remote and two clones, A and B, and gives each 1,000 commits shaped
# like errata's over 1,000 records in all, 100 of them touched on both sides in
# different fields (`cargo run --release --example diverge`). A pushes; then,
# from the same starting point each time (B and the remote reset), RUNS runs
# (default 5) of each of, in B:
#   git pull                          git's line merge, no driver registered
#   git pull (driver)                 after `errata setup`: records through errata merge-driver
#   git pull && git push (driver)     the same work as a sync
#   errata sync --no-push             fetch and the in-process field-by-field merge
#   errata sync                       the same, then push
# and reports min and median seconds, the files left in conflict by each, and
# the ratios. WORK is left in place for a look (and removed only if it was a
# temp folder the script made... it is not: delete it when done).
set -euo pipefail

[[ $# -ge 1 && -d $1/.git ]] || { echo "usage: $0 DIR [WORK] (DIR: a synthetic repository)" >&2; exit 2; }
DIR=$(realpath "$1")
WORK=${2:-$(mktemp -d /tmp/errata-sync-bench.XXXX)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$crate" && cargo build --release --quiet && cargo build --release --quiet --example diverge)
ERRATA=$crate/target/release/errata
DIVERGE=$crate/target/release/examples/diverge
RUNS=${RUNS:-5}
export GIT_AUTHOR_NAME="Editor B" GIT_AUTHOR_EMAIL=b@example.org
export GIT_COMMITTER_NAME="Editor B" GIT_COMMITTER_EMAIL=b@example.org

echo "== setting up in $WORK" >&2
rm -rf "$WORK/remote.git" "$WORK/a" "$WORK/b"
git clone -q --bare "$DIR" "$WORK/remote.git"
git clone -q "$WORK/remote.git" "$WORK/a"
# The desk routes records to errata's driver (.gitattributes, committed once).
(cd "$WORK/a" && "$ERRATA" -q setup >/dev/null && git push -q origin HEAD)
git clone -q "$WORK/remote.git" "$WORK/b"
"$DIVERGE" "$WORK/a" "$WORK/b" --commits 1000 --records 1000 --shared 100 >&2
git -C "$WORK/a" push -q origin HEAD
branch=$(git -C "$WORK/b" symbolic-ref --short HEAD)
tip_a=$(git -C "$WORK/a" rev-parse HEAD)
tip_b=$(git -C "$WORK/b" rev-parse HEAD)
cd "$WORK/b"
"$ERRATA" -q setup >/dev/null # registers the driver in B's config
driver=$(git config merge.errata.driver)

reset() { # B and the remote back to where the editors left them
    git merge --abort >/dev/null 2>&1 || true
    git reset -q --hard "$tip_b"
    git --git-dir="$WORK/remote.git" update-ref "refs/heads/$branch" "$tip_a"
}
conflicts() { git diff --name-only --diff-filter=U | wc -l; }

# min and median seconds of RUNS runs; the conflicts the last one left.
time_it() {
    local ts=() t
    for _ in $(seq "$RUNS"); do
        reset
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        ts+=("$(echo "$end - $start" | bc)")
    done
    local c; c=$(conflicts)
    printf '%s\n' "${ts[@]}" | sort -n | awk -v c="$c" '{a[NR]=$1} END {printf "%.3f %.3f %d\n", a[1], a[int((NR+1)/2)], c}'
}

row() { # label, then the command; shows the figures, prints the median
    local label=$1; shift
    read -r min med c < <(time_it "$@")
    printf '%-36s min %6.3f s  median %6.3f s  files in conflict: %d\n' "$label" "$min" "$med" "$c" >&2
    echo "$med"
}

plain() { git -c merge.errata.driver= -c pull.rebase=false pull -q --no-edit; }
with_driver() { git -c pull.rebase=false pull -q --no-edit; }
with_driver_push() { with_driver && git push -q; }

g0=$(row "git pull (no driver)" plain)
g1=$(row "git pull (driver)" with_driver)
g2=$(row "git pull && git push (driver)" with_driver_push)
n=$(row "errata sync --no-push" "$ERRATA" -q sync --no-push)
e=$(row "errata sync" "$ERRATA" -q sync)
reset

echo
printf 'errata sync --no-push / git pull (no driver):      %.2f  (goal <= 1.5)\n' "$(echo "$n / $g0" | bc -l)"
printf 'errata sync --no-push / git pull (driver):         %.2f  (goal <= 1.5)\n' "$(echo "$n / $g1" | bc -l)"
printf 'errata sync / git pull && git push (driver):       %.2f  (goal <= 1.5)\n' "$(echo "$e / $g2" | bc -l)"
echo "driver: $driver"
