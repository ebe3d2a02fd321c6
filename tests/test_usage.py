"""Bad usage, command by command: exit 2 and a message that says what is wrong and what to do."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govstats import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def package(tmp_path):
    """A folder holding a copy of the committed descriptor (enough for the usage checks of validate)."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "datapackage.json").write_bytes((ROOT / "datapackage.json").read_bytes())
    return tmp_path / "pkg"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _usage(capsys, argv: list[str], *hints: str) -> str:
    code, out, err = _run(capsys, *argv)
    assert code == cli.EXIT_USAGE, (argv, out, err)
    assert err.startswith("govstats: error: ")
    for hint in hints:
        assert hint in err, (argv, err)
    return err


def test_validate_an_unknown_resource(capsys, package):
    err = _usage(capsys, ["validate", str(package), "--resource", "nosuch"], "no resource named 'nosuch'",
                 "choose one of documents, indicators, crosswalk, observations, checks, rejections")
    assert "invalid" not in err


def test_validate_a_folder_without_a_package(capsys, tmp_path):
    _usage(capsys, ["validate", str(tmp_path)], "no datapackage.json", f"python -m govstats build --output {tmp_path}")


def test_validate_a_broken_descriptor(capsys, tmp_path):
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    _usage(capsys, ["validate", str(tmp_path)], "is not a data package descriptor", "rebuild it")


def test_validate_limit_rows_below_one(capsys, package):
    _usage(capsys, ["validate", str(package), "--limit-rows", "0"], "--limit-rows must be at least 1")


def test_build_output_naming_a_file(capsys, tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("keep me", encoding="utf-8")
    err = _usage(capsys, ["build", "--input", str(ROOT / "seeds"), "--output", str(target)],
                 "--output must name a folder", "is a file")
    assert "Errno" not in err
    assert target.read_text(encoding="utf-8") == "keep me"  # the user's file is untouched
    _usage(capsys, ["build", "--input", str(ROOT / "seeds"), "--output", str(target / "sub")], "is a file")


def test_build_missing_input(capsys, tmp_path):
    _usage(capsys, ["build", "--input", str(tmp_path / "nowhere"), "--output", str(tmp_path / "out")],
           "input not found", "give --input a document or a folder")
    assert not (tmp_path / "out" / "data").exists()


def test_build_a_folder_without_documents(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    _usage(capsys, ["build", "--input", str(tmp_path / "empty"), "--output", str(tmp_path / "out")],
           "no input documents found", ".txt")


def test_build_jobs_below_one(capsys, tmp_path):
    _usage(capsys, ["build", "--jobs", "0", "--output", str(tmp_path)], "--jobs must be at least 1")


def test_parse_a_folder(capsys, tmp_path):
    _usage(capsys, ["parse", str(tmp_path)], "is a folder", f"python -m govstats build --input {tmp_path}")


def test_parse_a_missing_file(capsys, tmp_path):
    _usage(capsys, ["parse", str(tmp_path / "missing.txt")], "document not found")


def test_parse_prints_no_none(capsys, tmp_path):
    """A document that states nothing: its metadata reads 'not stated', never Python's None."""
    document = tmp_path / "bare.txt"
    document.write_text("统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 7 |\n", encoding="utf-8")
    code, out, _ = _run(capsys, "parse", str(document))
    assert code == 0 and "None" not in out
    assert "agency not stated; year not stated; published not stated" in out


def test_parse_names_whole_document_rejections(capsys, tmp_path):
    document = tmp_path / "binary.txt"
    document.write_bytes(b"\x00\x01\x02" * 100)
    code, out, _ = _run(capsys, "parse", str(document))
    assert code == 0 and "None" not in out and "rejected the whole document:" in out


def test_evaluate_without_gold_files(capsys, tmp_path):
    _usage(capsys, ["evaluate", "--gold", str(tmp_path)], "no gold *.json files", "--gold")


def test_evaluate_a_bad_gold_file(capsys, tmp_path):
    (tmp_path / "x.json").write_text("[1, 2", encoding="utf-8")
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        _usage(capsys, ["evaluate", "--gold", str(tmp_path), "--input", "seeds/001_e30e2049e38d0093.txt"],
               "fix the gold file")
    finally:
        os.chdir(previous)


def test_evaluate_missing_input(capsys, tmp_path):
    (tmp_path / "x.json").write_text(json.dumps({}), encoding="utf-8")
    _usage(capsys, ["evaluate", "--gold", str(tmp_path), "--input", str(tmp_path / "nowhere")], "input not found")


@pytest.mark.parametrize("argv", [[], ["nosuch"], ["build", "--jobs", "two"], ["validate", "--limit-rows", "x"],
                                  ["parse"], ["build", "--unknown"]])
def test_argument_errors_exit_2_with_usage(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "usage: python -m govstats" in err and "error:" in err


def test_auto_jobs_one_process_for_a_small_input(monkeypatch):
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert cli.auto_jobs(cli.AUTO_JOBS_FROM - 1) == 1
    assert cli.auto_jobs(cli.AUTO_JOBS_FROM) == 4


def test_auto_jobs_at_most_eight_and_at_least_one(monkeypatch):
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert cli.auto_jobs(10_000) == 8
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: set(), raising=False)
    assert cli.auto_jobs(10_000) == 1
