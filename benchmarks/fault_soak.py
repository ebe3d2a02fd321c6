"""Fault-injection soak: many random damages to cache entries, none may change a value or crash the build
(the test suite runs 40 single-byte flips: tests/test_cache.py); then many fuzzed documents, none may stop a
build (tests/test_accounted.py mixes one of each kind of bad document into the seeds).

    .venv/bin/python benchmarks/fault_soak.py [--trials 1000] [--documents 300] [--seed 1] [--input seeds]

Cache: each trial copies a pristine cache, damages one or more entries (flipped bytes, truncation, bytes
appended, an entry swapped with another, an empty file), builds incrementally and compares every record with
the clean build. Documents: each fuzzed document is a corpus document with lines of other documents' tables
inserted, dropped or repeated; all are built together, and the package must publish (the tally finds no
failure) with every bad document quarantined. Exits 1 on the first difference or failure.
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
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus" / "raw"


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
    parser.add_argument("--documents", type=int, default=300, help="fuzzed documents built together")
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
    return _fuzz_documents(chooser, args.documents)


def _fuzz_documents(chooser: random.Random, n_documents: int) -> int:
    from govstats.codebook import load
    from govstats.output.package import write_package

    sources = sorted(CORPUS.glob("*.txt")) + sorted(Path("seeds").glob("*.txt"))
    texts = [path.read_text(encoding="utf-8").split("\n") for path in sources]
    table_lines = [line for text in texts for line in text if "|" in line]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "fuzzed"
        folder.mkdir()
        for number in range(n_documents):
            lines = list(chooser.choice(texts))
            for _ in range(chooser.randint(1, 4)):
                position = chooser.randrange(len(lines) + 1)
                action = chooser.choice(["insert", "drop", "repeat"])
                if action == "insert" or not lines:
                    lines.insert(position, chooser.choice(table_lines))
                elif action == "drop":
                    del lines[min(position, len(lines) - 1)]
                else:
                    lines[position:position] = [lines[min(position, len(lines) - 1)]] * chooser.randint(2, 50)
            (folder / f"fuzz_{number:05d}.txt").write_text("\n".join(lines), encoding="utf-8")
        result = build.run([folder])
        write_package(Path(temporary) / "out", load(), result.results, result.tally)
        if result.tally.failures:
            print(f"fuzzed documents: the package broke its schema: {result.tally.failures[:5]}")
            return 1
        quarantined = [d for d in result.records["documents"] if d["status"] == "error"]
        print(f"{n_documents} fuzzed documents: the package published; {len(quarantined)} quarantined, e.g. "
              + "; ".join(f"{d['doc_id']}: {d['status_message'][:120]}" for d in quarantined[:3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
