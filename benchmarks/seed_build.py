"""Benchmark: the seed build, end to end, against Python's import of pandas (not a test).

Usage: .venv/bin/python benchmarks/seed_build.py [--repeat N]

Runs ``python -m govstats build`` on seeds/ into a temporary folder N times as a new user would, and
``python -c "import pandas"`` N times, and prints the medians and their difference: the cost of the build
beyond importing pandas. Target (pipeline issue): well under 2 s.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pandas_times, build_times = [], []
    with tempfile.TemporaryDirectory() as output:
        for _ in range(args.repeat):
            pandas_times.append(timed([sys.executable, "-c", "import pandas"]))
            build_times.append(timed([sys.executable, "-m", "govstats", "build", "--quiet", "--output", output]))
    pandas_median, build_median = statistics.median(pandas_times), statistics.median(build_times)
    print(f"machine: {platform.machine()} {platform.system()}, Python {platform.python_version()}")
    print(f"import pandas:          median {pandas_median:.3f} s over {args.repeat} runs")
    print(f"govstats build (seeds): median {build_median:.3f} s over {args.repeat} runs")
    print(f"build beyond pandas:    {build_median - pandas_median:.3f} s (target: well under 2 s)")


if __name__ == "__main__":
    main()
