"""The worst inputs for time and memory, each measured in a fresh process against a declared bound.

    .venv/bin/python benchmarks/worst_cases.py [--files 5000]

Cases: a label line of 1 MB (just under max_line_chars: it is read) full of parenthesised notes, a 2019-format
table 2 of 60,000 rows (the rows-per-table limit must cut it), and many tiny files in one build. Exit 1 when a
case is over its bound. The bounds hold on the project's machine with room to spare; the test suite checks the
first two with bounds ten times more generous (tests/test_bounds.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_2019 = ROOT / "tests" / "fixtures" / "corpus" / "raw" / "006_weishan_liangchengzhen_2020.txt"
BOUNDS = {  # seconds and MB (peak resident memory of the process)
    "long_line": {"seconds": 3.0, "peak_mb": 400},
    "national_60000_rows": {"seconds": 6.0, "peak_mb": 300},
    "tiny_files": {"ms_per_document": 5.0, "peak_mb": 500},
}

ONE_DOCUMENT = r"""
import json, resource, sys, time
from pathlib import Path
from govstats.codebook import load
from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build
codebook = load()
matcher = LabelMatcher(codebook)
started = time.perf_counter()
result = build.document_result(Path(sys.argv[1]), "case", "case.txt", codebook, matcher)
print(json.dumps({"seconds": time.perf_counter() - started, "status": result.document.status,
                  "observations": len(result.observations), "rejections": len(result.rejections),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def long_line(path: Path) -> None:
    note = "(注:含转载)"
    label = "行政许可" + note * (999_000 // len(note))
    path.write_text(f"统计指标 | 单位 | 统计数 |\n{label} | 件 | 2 |\n", encoding="utf-8")


def national(path: Path, rows: int = 60_000) -> None:
    lines = SAMPLE_2019.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines[:8] + ["规范性文件 | 1 | 2 | 3 |"] * rows + lines[8:]), encoding="utf-8")


def _one(path: Path) -> dict:
    completed = subprocess.run([sys.executable, "-c", ONE_DOCUMENT, str(path)], cwd=ROOT, capture_output=True,
                               text=True, check=True)
    return json.loads(completed.stdout)


def _tiny_files(folder: Path, n_files: int) -> dict:
    inputs = folder / "tiny"
    inputs.mkdir()
    for number in range(n_files):
        (inputs / f"r{number:06d}.txt").write_text(
            f"统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | {number} |\n", encoding="utf-8")
    command = [sys.executable, "-c",
               "import resource, sys\nfrom govstats import cli\ncode = cli.main(sys.argv[1:])\n"
               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\nsys.exit(code)",
               "build", "-q", "--no-xlsx", "--input", str(inputs), "--output", str(folder / "out")]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "ms_per_document": 1000 * seconds / n_files,
            "peak_mb": float(completed.stdout.split()[-1]), "documents": n_files}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000, help="tiny files in the many-files case")
    args = parser.parse_args()
    over = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        long_line(folder / "long.txt")
        national(folder / "national.txt")
        results = {"long_line": _one(folder / "long.txt"), "national_60000_rows": _one(folder / "national.txt"),
                   "tiny_files": _tiny_files(folder, args.files)}
    for case, measured in results.items():
        for name, bound in BOUNDS[case].items():
            verdict = "ok" if measured[name] <= bound else "OVER"
            if verdict == "OVER":
                over.append(f"{case} {name}")
            print(f"{case:22} {name:16} {measured[name]:10.2f}  (bound {bound}) {verdict}")
        extra = {k: v for k, v in measured.items() if k not in BOUNDS[case]}
        print(f"{'':22} {json.dumps(extra)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
