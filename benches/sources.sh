#!/usr/bin/env bash
# Source-check benchmark: `errata sources check` on 1,000 sources over 50 hosts
# of a local server (examples/sourceserve.rs) whose every page answers after
# 50 ms, beside the time the per-host cap makes unavoidable.
#
#   benches/sources.sh [WORK]
#
# In WORK (default: a new temp folder under /tmp) it lays out a fact-check
# repository with 100 claims citing 10 sources each, host by host in turn
# (127.0.0.2 ... 127.0.0.51, one port), every source with an excerpt the page
# holds. Then RUNS runs (default 5) of each of:
#   cold (default: --jobs 100)     every source fetched (--max-age 0), as many
#                                   at once as 50 hosts x 2 allow
#   cold, --jobs 16                 a tighter global cap
#   warm                            every result from the cache
# reporting min and median seconds and the peak memory (max RSS) of the last run.
# The floor: 20 pages per host, 2 at a time, 50 ms each = 10 x 50 ms = 0.5 s,
# whatever the number of hosts; with a global cap of J, also 1000/J x 50 ms.
set -euo pipefail

WORK=${1:-$(mktemp -d /tmp/errata-sources-bench.XXXX)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$crate/target}
(cd "$crate" && cargo build --release --quiet && cargo build --release --quiet --example sourceserve)
ERRATA=$target/release/errata
SERVE=$target/release/examples/sourceserve
RUNS=${RUNS:-5}
HOSTS=50 LATENCY=50 CLAIMS=100 PER_CLAIM=10
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org

port_file=$WORK/port
"$SERVE" "$HOSTS" "$LATENCY" >"$port_file" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do [[ -s $port_file ]] && break; sleep 0.1; done
port=$(head -1 "$port_file")

repo=$WORK/repo
rm -rf "$repo"
mkdir -p "$repo"
cd "$repo"
"$ERRATA" -q init --name Bench >/dev/null
"$ERRATA" -q setup >/dev/null
"$ERRATA" -q episode add ep --title Bench >/dev/null
n=0
for c in $(seq -w 1 $CLAIMS); do
    f=claims/ep/claim-$c.toml
    printf 'status = "checked"\nverdict = "accurate"\nclaim = "Gross margin was 74%%."\n' >"$f"
    for _ in $(seq $PER_CLAIM); do
        host=127.0.0.$((2 + n % HOSTS))
        printf '\n[[sources]]\ntitle = "Q3"\nurl = "http://%s:%s/page/%d"\nexcerpt = "GAAP gross margin was 74.0%%"\n' \
            "$host" "$port" "$n" >>"$f"
        n=$((n + 1))
    done
done
git add -A claims && git commit -qm "bench sources"
echo "== $n sources over $HOSTS hosts, ${LATENCY} ms a page, in $repo" >&2

measure() { # label, then the command; prints min and median seconds and max RSS
    local label=$1; shift
    local times=() rss=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || [[ $? == 1 ]]
        read -r t m <"$WORK/time"
        times+=("$t"); rss=$m
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -g)
    min=$(head -1 <<<"$sorted")
    median=$(sed -n "$(( (RUNS + 1) / 2 ))p" <<<"$sorted")
    printf '%-34s min %6.2f s  median %6.2f s  peak %4d MiB   %s\n' \
        "$label" "$min" "$median" $((rss / 1024)) "$(tail -1 "$WORK/err")"
}

measure "cold (default, --jobs 100)" "$ERRATA" sources check --max-age 0
measure "cold, --jobs 16" "$ERRATA" sources check --max-age 0 --jobs 16
measure "warm (cache)" "$ERRATA" sources check
awk -v l=$LATENCY -v n=$n -v h=$HOSTS 'BEGIN {
    per = n / h; rounds = int((per + 1) / 2);
    printf "floor of the per-host cap (2): %d rounds x %d ms = %.2f s; of --jobs 16: %.2f s\n",
        rounds, l, rounds * l / 1000, int((n + 15) / 16) * l / 1000 }'
