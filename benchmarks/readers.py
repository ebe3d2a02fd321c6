"""Benchmark: the read stage (file → layout of text blocks and grids) per input format.

Usage: .venv/bin/python benchmarks/readers.py [--corpus DIR] [--documents N]

Reads the first N documents of each suffix of a generated corpus (benchmarks/generate_corpus.py) with
``documents.read_document`` and prints seconds per 1,000 documents and grid rows per second, so a reader's
cost can be compared across versions on the same corpus.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate_corpus import generate


def main() -> None:
    from govstats.codebook import load
    from govstats.documents import read_document

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="folder of documents (default: 3,000 generated ones)")
    parser.add_argument("--documents", type=int, default=1000, metavar="N", help="documents per format")
    args = parser.parse_args()
    corpus = args.corpus
    if corpus is None:
        corpus = Path(tempfile.mkdtemp()) / "corpus"
        generate(corpus, 3000)
    limits = load().limits
    for suffix in sorted({p.suffix for p in corpus.iterdir()}):
        paths = sorted(p for p in corpus.iterdir() if p.suffix == suffix)[:args.documents]
        started, rows = time.perf_counter(), 0
        for path in paths:
            document = read_document(path, path.stem, path.name, limits)
            rows += sum(1 for unit in document.units if unit.is_row)
        seconds = time.perf_counter() - started
        print(f"{suffix:6} {len(paths):6,} documents: {seconds / len(paths) * 1000:.2f} s per 1,000 documents, "
              f"{rows / seconds:,.0f} table rows/s")


if __name__ == "__main__":
    main()
