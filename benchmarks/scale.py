"""Benchmark: a synthetic corpus of N documents built end to end, against a floor measured in the same run.

Usage: .venv/bin/python benchmarks/scale.py --documents 10000 [100000 ...] [--jobs 1] [--corpus DIR]

Prints documents per second, the peak memory of the build process, the time of each stage (as the build
reports it) and the ratio of the build's time to the floor: reading every file and splitting its lines on
"|", which no build can beat. The corpus comes from benchmarks/generate_corpus.py (deterministic). Given
several sizes, it builds each in turn and compares each build's time with the first one's (linearity).

It also measures an output floor: the least any Python build must spend to get the values it made into the
files. The built observations and checks are read back as Python lists (not timed), then typed into Arrow
and written as CSV and Parquet with pyarrow alone (timed): no parsing, no checks, no validation.
"""

from __future__ import annotations

import argparse
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

from generate_corpus import generate  # noqa: E402 - the generator sits beside this script


def floor_seconds(folder: Path) -> float:
    """Read every file and split its lines on '|': the least any build must do."""
    started = time.perf_counter()
    cells = 0
    for path in sorted(folder.iterdir()):
        for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
            cells += len(line.split("|"))
    return time.perf_counter() - started


def output_floor_seconds(data_dir: Path) -> float:
    """Python values → Arrow → CSV + Parquet for the rows the build wrote, with nothing else done."""
    import pyarrow
    import pyarrow.csv
    import pyarrow.parquet

    timed = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("observations", "checks"):
            source = pyarrow.parquet.ParquetFile(data_dir / f"{name}.parquet")
            schema = source.schema_arrow
            with pyarrow.parquet.ParquetWriter(Path(scratch) / f"{name}.parquet", schema) as parquet, \
                    pyarrow.csv.CSVWriter(Path(scratch) / f"{name}.csv", schema) as csv:
                for batch in source.iter_batches(batch_size=65_536):
                    columns = batch.to_pydict()  # the Python values a build holds: not timed
                    started = time.perf_counter()
                    table = pyarrow.table(columns, schema=schema)
                    parquet.write_table(table)
                    csv.write_table(table)
                    timed += time.perf_counter() - started
    return timed


def build(folder: Path, output: Path, jobs: int, options: list[str]) -> tuple[float, int, str]:
    """(seconds, peak resident memory in MiB of the build process, its summary)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "govstats", "build", "--input", str(folder), "--output",
                                str(output), "--jobs", str(jobs), *options], cwd=ROOT, capture_output=True,
                               text=True, check=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) // 1024, completed.stdout


def measure(size: int, corpus: Path, jobs: int, options: list[str]) -> float:
    """Build one corpus size and print its figures; returns the build's seconds."""
    if not corpus.is_dir() or len(list(corpus.iterdir())) != size:
        generate(corpus, size)
    floor_seconds(corpus)  # warm the page cache: both measurements read from memory
    floor = floor_seconds(corpus)
    with tempfile.TemporaryDirectory() as scratch:
        seconds, peak, summary = build(corpus, Path(scratch) / "out", jobs, options)
        output_floor = output_floor_seconds(Path(scratch) / "out" / "data")
    timing = re.search(r"time:\s+(.*)", summary)
    print(f"documents: {size:,}; build {seconds:.1f} s ({size / seconds:,.0f} documents/s); "
          f"floor {floor:.2f} s; ratio {seconds / floor:.1f}x the floor")
    print(f"output floor (the built rows, Python lists → Arrow → CSV + Parquet, nothing else): {output_floor:.2f} s "
          f"= {output_floor / floor:.1f}x the floor")
    print(f"peak memory of the build: {peak:,} MiB")
    print(f"stages: {timing.group(1) if timing else 'not reported'}")
    print("summary:\n" + "\n".join(line for line in summary.splitlines() if line.startswith(("govstats", "  "))))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[1000], metavar="N",
                        help="corpus size; several sizes are built in turn and compared with the first")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--corpus", type=Path,
                        help="folder for the generated corpora, one subfolder per size (reused if complete)")
    parser.add_argument("--xlsx", action="store_true",
                        help="also write the workbook (the issue's target is Parquet + CSV + checks: --no-xlsx)")
    parser.add_argument("--partition-by-year", action="store_true", help="also write the partitioned Parquet")
    args = parser.parse_args()
    options = ([] if args.xlsx else ["--no-xlsx"]) + (["--partition-by-year"] if args.partition_by_year else [])
    print(f"machine: {platform.machine()} {platform.system()}, Python {platform.python_version()}, "
          f"{args.jobs} process(es); build options: {' '.join(options) or '(none)'}")
    with tempfile.TemporaryDirectory() as scratch:
        root = args.corpus or Path(scratch)
        times = [measure(size, root / str(size), args.jobs, options) for size in args.documents]
    first = args.documents[0]
    for size, seconds in zip(args.documents[1:], times[1:], strict=True):
        print(f"linearity: {size:,} documents took {seconds / times[0]:.2f}x the time of {first:,} "
              f"({size / first:.0f}x the documents)")


if __name__ == "__main__":
    main()
