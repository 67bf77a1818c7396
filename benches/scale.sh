#!/usr/bin/env bash
# Scale benchmark: errata on a synthetic 100,000-claim repository.
#
#   benches/scale.sh DIR [synth options...]
#
# DIR is generated with `cargo run --release --example synth -- DIR [synth options]`
# unless it exists already (re-runs skip generation; delete DIR to regenerate).
# Then errata is built and, with hyperfine when available (installed with apt-get
# when missing and root; otherwise the median of 5 runs timed with the shell's
# clock after one warm-up), the script times side
# by side, all with output to /dev/null and the page cache warm:
#   read floor      find claims -name '*.toml' -print0 | xargs -0 cat   (in DIR)
#   git status      git status                                         (in DIR)
#   cold            errata --repo DIR list / validate, after rm -rf DIR/.git/errata
#   warm            errata --repo DIR list / validate, cache present, nothing changed
# and prints cold / read floor, warm / git status, and the peak RSS of each errata
# run (from /usr/bin/time -v). Nothing is written inside the crate except by
# `cargo build` under target/; scratch files go to a temporary folder.
#
# Environment: RUNS (timed runs, default 10 with hyperfine, 5 without),
# NO_HYPERFINE=1 forces the fallback loop.
set -euo pipefail

usage() {
    echo "usage: $0 DIR [synth options: --claims N --episodes N --commits N --seed N]" >&2
    exit 2
}
[[ $# -ge 1 && $1 != -* ]] || usage
dir_arg=$1
shift

crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case $(realpath -m "$dir_arg")/ in
"$crate"/*)
    echo "scale.sh: DIR must be outside the crate ($crate)" >&2
    exit 2
    ;;
esac
DIR=$(realpath -m "$dir_arg")
ERRATA=$crate/target/release/errata
scratch=$(mktemp -d "${TMPDIR:-/tmp}/errata-scale.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export NO_COLOR=1

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools

install_pkg() { # install_pkg PACKAGE: apt-get as root, quietly; false if impossible
    [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || return 1
    log "installing $1"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 && return 0
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1
}

have_hyperfine=0
if [[ -z ${NO_HYPERFINE:-} ]]; then
    if command -v hyperfine >/dev/null || install_pkg hyperfine; then
        have_hyperfine=1
    else
        log "hyperfine not available: falling back to median of 5 runs"
    fi
fi
if [[ ! -x /usr/bin/time ]] && ! install_pkg time; then
    log "/usr/bin/time missing and not installable: no peak-memory figures"
fi

# ------------------------------------------------------ generate, build

if [[ -e $DIR ]]; then
    log "using existing $DIR (delete it to regenerate)"
    if [[ $# -gt 0 ]]; then log "ignoring synth options: $*"; fi
else
    log "generating $DIR"
    (cd "$crate" && cargo run --quiet --release --example synth -- "$DIR" "$@")
fi
[[ -d $DIR/.git && -d $DIR/claims ]] || {
    echo "scale.sh: $DIR is not a fact-check repository" >&2
    exit 1
}

log "cargo build --release"
(cd "$crate" && cargo build --quiet --release)

claims=$(cd "$DIR" && find claims -name '*.toml' ! -name episode.toml | wc -l)
commits=$(git -C "$DIR" rev-list --count HEAD)
log "$DIR: $claims claims, $commits commits, $(du -sh "$DIR/.git" | cut -f1) in .git"

# Is errata ready for this? (The binary may predate list/validate.)
errata_ok=1
for sub in list validate; do
    if ! "$ERRATA" --repo "$DIR" "$sub" >/dev/null 2>"$scratch/err"; then
        log "errata $sub fails on $DIR, skipping errata measurements:"
        sed -n '1,5p' "$scratch/err" >&2
        errata_ok=0
    fi
done

# -------------------------------------------------------------- measure

q() { printf '%q' "$1"; }
READ_FLOOR="find claims -name '*.toml' -print0 | xargs -0 cat >/dev/null"
GIT_STATUS="git status >/dev/null"
CLEAR_CACHE="rm -rf $(q "$DIR/.git/errata")"
errata_cmd() { echo "$(q "$ERRATA") --repo $(q "$DIR") $1 >/dev/null 2>&1"; }

declare -A median # name -> seconds
declare -A rss    # name -> MiB

measure() { # measure NAME PREPARE COMMAND   (runs in DIR)
    local name=$1 prepare=$2 cmd=$3
    if ((have_hyperfine)); then
        local args=(--style basic --warmup 2 --runs "${RUNS:-10}" --export-csv "$scratch/$name.csv"
            --command-name "$name")
        [[ -n $prepare ]] && args+=(--prepare "$prepare")
        (cd "$DIR" && hyperfine "${args[@]}" "$cmd") >&2
        median[$name]=$(awk -F, 'NR==2 {print $4}' "$scratch/$name.csv")
    else
        local i t0 t1 times=()
        for i in 1 2 3 4 5 6; do # the first run is a warm-up
            [[ -n $prepare ]] && (cd "$DIR" && bash -c "$prepare")
            t0=$EPOCHREALTIME
            (cd "$DIR" && bash -c "$cmd")
            t1=$EPOCHREALTIME
            ((i > 1)) && times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')")
        done
        median[$name]=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
        printf '%-22s median of 5: %8.1f ms\n' "$name" "$(awk -v s="${median[$name]}" 'BEGIN {print s * 1000}')" >&2
    fi
}

peak_mib() { # peak_mib PREPARE SUBCOMMAND -> max RSS in MiB, or n/a
    [[ -x /usr/bin/time ]] || { echo n/a; return; }
    [[ -n $1 ]] && bash -c "$1"
    /usr/bin/time -v -o "$scratch/rss" "$ERRATA" --repo "$DIR" "$2" >/dev/null 2>&1 || true
    awk -F: '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$scratch/rss"
}

log "warming the page cache"
(cd "$DIR" && bash -c "$READ_FLOOR" && git status >/dev/null)

measure read-floor "" "$READ_FLOOR"
measure git-status "" "$GIT_STATUS"
if ((errata_ok)); then
    measure list-cold "$CLEAR_CACHE" "$(errata_cmd list)"
    measure validate-cold "$CLEAR_CACHE" "$(errata_cmd validate)"
    "$ERRATA" --repo "$DIR" list >/dev/null # leave the cache built
    measure list-warm "" "$(errata_cmd list)"
    measure validate-warm "" "$(errata_cmd validate)"
    for sub in list validate; do
        rss[$sub-cold]=$(peak_mib "$CLEAR_CACHE" "$sub")
        rss[$sub-warm]=$(peak_mib "" "$sub")
    done
fi

# -------------------------------------------------------------- report

ms() { awk -v s="$1" 'BEGIN {printf "%9.1f ms", s * 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%6.2fx", a / b}'; }

echo
echo "errata scale benchmark: $DIR ($claims claims, $commits commits)"
printf '  %-26s %s\n' "read floor (find | cat)" "$(ms "${median[read-floor]}")"
printf '  %-26s %s\n' "git status" "$(ms "${median[git-status]}")"
if ((errata_ok)); then
    for sub in list validate; do
        printf '  %-26s %s   %s read floor   peak %s MiB\n' "errata $sub, cold" \
            "$(ms "${median[$sub-cold]}")" "$(ratio "${median[$sub-cold]}" "${median[read-floor]}")" \
            "${rss[$sub-cold]}"
        printf '  %-26s %s   %s git status   peak %s MiB\n' "errata $sub, warm" \
            "$(ms "${median[$sub-warm]}")" "$(ratio "${median[$sub-warm]}" "${median[git-status]}")" \
            "${rss[$sub-warm]}"
    done
else
    echo "  errata list/validate: not measured (see above)"
fi
