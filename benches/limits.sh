#!/usr/bin/env bash
# The worst inputs below errata's size limits (1 MiB a record, 32 MiB a
# transcript), timed with their peak memory, in a scratch repository under /tmp:
#
#   benches/limits.sh
#
#   episode add       a 100,000-line transcript (every line 哈 x 30)
#   add, found        a quote at its very end
#   add, not found    哈 x 5,000 then 嘿: the in-place search gives up, the
#                     whole-transcript search and the closest-segment hint run
#   validate          a claim quoting 哈 x 2,000, which occurs at every one of
#                     the transcript's 3,000,000 characters (all occurrences are
#                     listed to check the claimed time)
#   log -p            a claim whose 300,000-character Chinese note changed at
#                     every 1,000th character, diffed by words
#   validate          a 50 MB record (refused unread) among them
set -euo pipefail

crate=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$crate/target}
(cd "$crate" && cargo build --release --quiet)
ERRATA=$target/release/errata
DIR=$(mktemp -d /tmp/errata-limits.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org

measure() { # label, then the command: prints seconds, peak memory and exit code
    local label=$1; shift
    local code=0
    /usr/bin/time -f "%e %M" -o "$DIR/.time" "$@" >"$DIR/.out" 2>&1 || code=$?
    read -r secs kib < <(tail -1 "$DIR/.time")
    printf '%-36s %7.2f s %8.1f MiB  exit %s\n' "$label" "$secs" "$(echo "$kib / 1024" | bc -l)" "$code"
    # What a refusal said, so a fast figure is never a silent failure.
    if [ "$code" != 0 ]; then grep -m1 '^error' "$DIR/.out" | cut -c1-110 | sed 's/^/    /'; fi
}

"$ERRATA" init --name bench --language zh-TW >/dev/null
python3 - <<'PY'
lines = []
for i in range(100_000):
    t = lambda s: f"{s // 3600}:{s // 60 % 60:02}:{s % 60:02}"
    lines.append(f"({t(2 * i)}~{t(2 * i + 2)}) " + "哈" * 30)
open("long.txt", "w").write("\n".join(lines) + "\n")
PY
measure "episode add (100,000 lines)" "$ERRATA" episode add long --title 長 --transcript long.txt
measure "add, quote found at the end" "$ERRATA" add long --id at-end --quote "$(printf '哈%.0s' $(seq 40))" --claim c --at 55:33:18~55:33:20
measure "add, 5,001-char quote not found" "$ERRATA" add long --id missing --quote "$(printf '哈%.0s' $(seq 5000))嘿" --claim c
python3 - <<'PY'
q = "哈" * 2000
open("claims/long/everywhere.toml", "w").write(
    f'status = "needs-check"\nsaid_at = "55:33:00~55:33:20"\nquote = "{q}"\nclaim = "c"\n')
PY
git add -A && git commit -qm everywhere
measure "validate, quote at 3,000,000 places" "$ERRATA" validate
python3 - <<'PY'
import random
random.seed(1)
han = [chr(c) for c in range(0x4e00, 0x4e00 + 3000)]
note = [random.choice(han) for _ in range(300_000)]
head = 'status = "needs-check"\nclaim = "c"\nnote = """\n'
open("claims/long/note.toml", "w").write(head + "".join(note) + '\n"""\n')
PY
git add -A && git commit -qm note
python3 - <<'PY'
import random
random.seed(2)
text = open("claims/long/note.toml").read()
chars = list(text)
start = text.index('"""') + 4
for i in range(start, len(chars) - 5, 1000):
    chars[i] = "改"
open("claims/long/note.toml", "w").write("".join(chars))
PY
git add -A && git commit -qm "note edited"
measure "log -p, 300,000-char note" "$ERRATA" log -p note
head -c $((50 << 20)) /dev/zero | tr '\0' 'x' | sed 's/^/note = "/; s/$/"/' >claims/long/huge.toml
measure "validate, with a 50 MB record" "$ERRATA" validate
