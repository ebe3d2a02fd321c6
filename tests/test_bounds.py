"""Bounded time and memory on the worst inputs: label splitting is linear (and the same as its quadratic
definition), and the rows-per-table limit holds for the 2019/2021 tables too. The bounds here are generous
(at least 10× what the project's machine measures) so that a loaded machine does not fail them; the benchmark
benchmarks/worst_cases.py measures the same cases against tighter declared bounds."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from govstats.codebook import load
from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build
from govstats.text import keys
from tests.conftest import CORPUS_RAW

ROOT = Path(__file__).resolve().parents[1]
LONG_LINE_SECONDS = 30  # a 1 MB label line; about 1 s measured (the quadratic loop took over 200 s)
BIG_TABLE_PEAK_MB = 600  # resident memory of one process reading a 60,000-row national table; ~150 MB measured


def _old_remove_notes(text: str) -> tuple[str, list[str]]:
    """The definition: remove the leftmost note, strip, repeat (quadratic in the length of the text)."""
    notes = []
    while True:
        match = keys._NOTE.search(text)
        if not match or (match.start() == 0 and match.end() == len(text)):
            break
        notes.append(match.group(1).strip())
        text = (text[: match.start()] + text[match.end():]).strip()
    return text.strip(), notes


@settings(max_examples=3000, deadline=None)
@given(st.text(st.sampled_from(list("()（）a注一十1２ \u3000\xa0\x1c")), max_size=40))
def test_note_removal_is_the_quadratic_definition(text):
    text = text.strip()
    label, notes = keys.remove_notes(text)
    assert (label.strip(), notes) == _old_remove_notes(text)


def _long_line_document(path: Path, n_chars: int) -> None:
    note = "(注:含转载)"
    label = "行政许可" + note * ((n_chars - 4) // len(note))
    path.write_text(f"统计指标 | 单位 | 统计数 |\n{label} | 件 | 2 |\n", encoding="utf-8")


def test_a_1_mb_label_line_is_read_in_bounded_time(tmp_path):
    path = tmp_path / "long.txt"
    _long_line_document(path, 999_000)  # just under max_line_chars: read, not rejected
    codebook = load()
    started = time.perf_counter()
    result = build.document_result(path, "long", "long.txt", codebook, LabelMatcher(codebook))
    elapsed = time.perf_counter() - started
    assert result.document["status"] == "ok"
    [observation] = result.observations
    assert observation["row_label"] == "行政许可" and observation["value"] == 2
    assert observation["row_note"].startswith("注:含转载; 注:含转载")
    assert elapsed < LONG_LINE_SECONDS


BIG_TABLE = r"""
import json, resource, sys
from pathlib import Path
from govstats.codebook import load
from govstats.observations.matching import LabelMatcher
from govstats.pipeline import build
codebook = load()
result = build.document_result(Path(sys.argv[1]), "big", "big.txt", codebook, LabelMatcher(codebook))
print(json.dumps({"status": result.document["status"], "observations": len(result.observations),
                  "over_limit": sum(r["reason_code"] == "rows_over_limit" for r in result.rejections),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def big_national_document(path: Path, rows: int) -> None:
    """A 2019-format report whose table 2 repeats one row ``rows`` times (as a generated 19 MB file did)."""
    lines = (CORPUS_RAW / "006_weishan_liangchengzhen_2020.txt").read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines[:8] + ["规范性文件 | 1 | 2 | 3 |"] * rows + lines[8:]), encoding="utf-8")


def test_the_row_limit_bounds_a_60000_row_national_table(tmp_path):
    path = tmp_path / "big.txt"
    big_national_document(path, 60_000)
    completed = subprocess.run([sys.executable, "-c", BIG_TABLE, str(path)], cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    measured = json.loads(completed.stdout)
    limit = load().limits["max_rows_per_table"]
    assert measured["status"] == "ok"
    assert measured["over_limit"] == 60_000 + 8 - limit  # the 8 rows table 2 prints, and the copies
    assert measured["observations"] <= 3 * limit + 100  # table 2 at the limit, tables 3 and 4 as printed
    assert measured["peak_mb"] < BIG_TABLE_PEAK_MB
