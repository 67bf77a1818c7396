"""Parse every shipped record with a second TOML parser (Python's tomllib), so a
record errata accepts is valid TOML for every other tool too."""
import pathlib
import sys
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent
files = [root / "errata.toml", *sorted((root / "claims").glob("*/*.toml")), *sorted((root / "corrections").glob("*.toml"))]
bad = 0
count = 0
for f in files:
    if not f.exists():
        continue
    count += 1
    try:
        tomllib.loads(f.read_text(encoding="utf-8"))
    except Exception as e:  # noqa: BLE001 - report every failure, whatever it is
        bad += 1
        print(f"{f.relative_to(root)}: {e}")
print(f"{count - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
