"""The long run of the property tests (tests/test_properties.py): same properties, many more examples.

Usage: .venv/bin/python benchmarks/property_soak.py [--scale 50]

The test suite runs a quick pass; this explores SCALE times as many random and mutated documents through the
whole pipeline, asserting that no exception escapes and that every row ends as observations or rejections.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50, help="multiplier of the suite's example counts")
    args = parser.parse_args()
    environment = {**os.environ, "GOVSTATS_PROPERTY_SCALE": str(args.scale)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_properties.py"]
    return subprocess.run(command, cwd=ROOT, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
