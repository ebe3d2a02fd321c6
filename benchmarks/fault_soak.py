"""Fault-injection soak for the incremental cache: many random damages to cache entries, none may change a
value or crash the build (the test suite runs 40 single-byte flips: tests/test_cache.py).

    .venv/bin/python benchmarks/fault_soak.py [--trials 1000] [--seed 1] [--input seeds]

Each trial copies a pristine cache, damages one or more entries (flipped bytes, truncation, bytes appended,
an entry swapped with another, an empty file), builds incrementally and compares every record with the clean
build. Prints how many entries were discarded and exits 1 on the first difference.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

from govstats.pipeline import build
from govstats.pipeline.cache import SUFFIX, DocumentCache

RESOURCES = ("documents", "observations", "checks", "rejections")


def _damage(chooser: random.Random, entries: list[Path]) -> str:
    entry = chooser.choice(entries)
    data = bytearray(entry.read_bytes())
    kind = chooser.choice(["flip", "flips", "truncate", "append", "swap", "empty"] if data else ["append"])
    if kind == "flip":
        data[chooser.randrange(len(data))] ^= 1 << chooser.randrange(8)
    elif kind == "flips":
        for _ in range(chooser.randint(2, 20)):
            data[chooser.randrange(len(data))] = chooser.randrange(256)
    elif kind == "truncate":
        del data[chooser.randrange(len(data)):]
    elif kind == "append":
        data += bytes(chooser.randrange(256) for _ in range(chooser.randint(1, 64)))
    elif kind == "swap":
        data = bytearray(chooser.choice(entries).read_bytes())
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    return f"{kind} {entry.name[:12]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--input", type=Path, action="append")
    args = parser.parse_args()
    inputs = args.input or [Path("seeds")]
    chooser = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as temporary:
        pristine = Path(temporary) / "pristine"
        clean = build.run(inputs, cache=DocumentCache(pristine))
        expected = {name: clean.records[name] for name in RESOURCES}
        discarded = 0
        for trial in range(args.trials):
            folder = Path(temporary) / "trial"
            shutil.copytree(pristine, folder)
            entries = sorted(folder.rglob("*" + SUFFIX))
            damages = [_damage(chooser, entries) for _ in range(chooser.randint(1, 3))]
            cache = DocumentCache(folder)
            try:
                result = build.run(inputs, cache=cache)
            except Exception as error:
                print(f"trial {trial} ({', '.join(damages)}): the build raised {error!r}")
                return 1
            if {name: result.records[name] for name in RESOURCES} != expected:
                print(f"trial {trial} ({', '.join(damages)}): the records differ from a clean build")
                return 1
            discarded += cache.discarded
            shutil.rmtree(folder)
    print(f"{args.trials} trials: every build equal to the clean one; {discarded} damaged entries discarded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
