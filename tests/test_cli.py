"""The command line as a user meets it: help, exit codes, parse output, README and CI in agreement."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govstats.output import schemas
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govstats", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_help_does_not_import_heavy_libraries():
    probe = ("import sys, govstats.cli as c\n"
             "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
             "heavy = [m for m in ('pandas', 'pandera', 'frictionless', 'openpyxl', 'pyarrow', 'xlsxwriter')"
             " if m in sys.modules]\nprint('HEAVY', heavy)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "HEAVY []" in result.stdout
    assert "build" in result.stdout and "parse" in result.stdout and "Exit codes" in result.stdout


def test_build_options_are_documented():
    result = run("build", "--help")
    for option in ("--input", "--output", "--quiet", "--strict"):
        assert option in result.stdout
        assert option in README


def test_missing_input_is_a_usage_error(tmp_path):
    result = run("build", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "input not found" in result.stderr and "nope" in result.stderr
    assert not (tmp_path / "out").exists()


def test_strict_fails_on_a_failed_error_check(tmp_path):
    document = tmp_path / "inconsistent.txt"
    document.write_text("统计指标 | 单位 | 统计数 |\n四、行政复议数量 | 件 | 5 |\n(一)维持具体行政行为数 | 件 | 1 |\n"
                        "(二)被依法纠错数 | 件 | 1 |\n(三)其他情形数 | 件 | 1 |\n", encoding="utf-8")
    relaxed = run("build", "--input", str(document), "--output", str(tmp_path / "a"))
    assert relaxed.returncode == 0
    assert "check failed" in relaxed.stdout and "sum:t2014.review" in relaxed.stdout
    strict = run("build", "--strict", "--quiet", "--input", str(document), "--output", str(tmp_path / "b"))
    assert strict.returncode == 1
    assert strict.stdout == ""


def test_a_bad_document_does_not_stop_the_build(tmp_path):
    good = "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 7 |\n"
    (tmp_path / "good.txt").write_text(good, encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = run("build", "--input", str(tmp_path), "--output", str(tmp_path / "out"))
    assert result.returncode == 0
    assert "binary.txt" in result.stdout and "NUL" in result.stdout
    with open(tmp_path / "out" / "data" / "documents.csv", encoding="utf-8-sig", newline="") as handle:
        status = {row["doc_id"]: row["status"] for row in csv.DictReader(handle)}
    assert status == {"binary": "error", "good": "ok"}
    assert run("build", "--strict", "-q", "--input", str(tmp_path), "--output", str(tmp_path / "o2")).returncode == 1


def test_large_builds_report_progress_and_the_workbook_step(tmp_path, monkeypatch, capsys):
    from govstats import cli

    for number in range(40):
        (tmp_path / f"report_{number:02d}.txt").write_text(
            f"统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | {number} |\n", encoding="utf-8")
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 40)
    assert cli.main(["build", "--input", str(tmp_path), "--output", str(tmp_path / "out")]) == 0
    progress = capsys.readouterr().err.splitlines()
    assert len(progress) == 22  # every 5%, then the panel and the workbook
    assert re.fullmatch(r"  \[2/40\] +5% · [0-9,]+ documents/s · about \d+ (s|min) left · report_01\.txt",
                        progress[0])
    assert re.fullmatch(r"  \[40/40\] 100% · [0-9,]+ documents/s · in \d+ s · report_39\.txt", progress[19])
    assert progress[20] == "  writing the panel and the checks between years …"
    assert progress[21] == "  writing data/govstats.xlsx (use --no-xlsx to skip it) …"

    assert cli.main(["build", "-q", "--input", str(tmp_path), "--output", str(tmp_path / "quiet")]) == 0
    assert cli.main(["build", "--input", str(tmp_path / "report_00.txt"), "--output", str(tmp_path / "one")]) == 0
    assert capsys.readouterr().err == ""  # quiet, or too small a build to need progress


def test_parse_prints_the_normalized_rows():
    result = run("parse", "seeds/001_e30e2049e38d0093.txt")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert "agency 微山县科技局" in lines[0] and "year 2016" in lines[0]
    assert lines[1] == ("  agency: 微山县科技局 (department, level county); where: 山东省 370000 / 济宁市 370800 / "
                        "微山县 370826; agency_id 370826-科技局")
    assert lines[2].split("\t")[:3] == ["source_line", "source_column", "indicator_id"]
    rows = [line.split("\t") for line in lines[3:]]
    assert len(rows) == 72
    budget = next(row for row in rows if row[0] == "81")
    assert budget[2] == "t2014.org" and budget[6] == "0.5" and budget[7] == "万元"
    assert budget[1] == "17"  # "九、机构建设和保障经费情况 | 0.5万元": the value starts at column 17


def test_validate_command(seed_build):
    result = run("validate", str(seed_build[1]))
    assert result.returncode == 0 and result.stdout.strip().endswith("valid")


def test_validate_in_bounded_time_finds_errors_in_the_sample(seed_build, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(seed_build[1], broken)
    observations = broken / "data" / "observations.csv"
    lines = observations.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[3] = lines[3].replace('"reported"', '"guessed"')  # the third data row: an undeclared status
    observations.write_text("".join(lines), encoding="utf-8-sig")
    sampled = run("validate", str(broken), "--limit-rows", "5")
    assert sampled.returncode == 1 and "observations" in sampled.stdout and "guessed" in sampled.stdout
    assert run("validate", str(broken), "--limit-rows", "2").returncode == 0  # the sample stops before it
    assert run("validate", str(broken), "--resource", "documents").returncode == 0
    unknown = run("validate", str(broken), "--resource", "nope")
    assert unknown.returncode == 2 and "no resource named 'nope'" in unknown.stderr
    assert run("validate", str(broken), "--limit-rows", "0").returncode == 2


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    commands = re.findall(r"```bash\n(.+?)\n```", README)
    assert ci in commands
    assert "python -m pytest" in ci
    assert any("python -m govstats build" in command and "pip install" in command for command in commands)


@pytest.mark.parametrize("name", schemas.RESOURCES)
def test_committed_outputs_are_current(seed_build, name):
    """CI rebuilds the seeds: the committed package must be byte-identical to a fresh build."""
    for relative in (f"data/{name}.csv", f"data/{name}.parquet"):
        fresh = hashlib.sha256((seed_build[1] / relative).read_bytes()).hexdigest()
        committed = hashlib.sha256((ROOT / relative).read_bytes()).hexdigest()
        assert fresh == committed, f"{relative} is stale: run python -m govstats build and commit"


def test_committed_descriptor_and_workbook_are_current(seed_build):
    for relative in ("datapackage.json", "data/govstats.xlsx"):
        assert (seed_build[1] / relative).read_bytes() == (ROOT / relative).read_bytes(), relative
