"""The build owns only what it writes: a user's files in the output folder and in data/ survive every build,
and a build that would harm them is refused (exit 2) before anything is read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govstats import cli
from govstats.output import publish
from govstats.output.validate import frictionless_report

ROOT = Path(__file__).resolve().parents[1]
TABLE = "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | {} |\n"


def _build(output: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> int:
    arguments = ["build", "--quiet", "--no-xlsx", "--output", str(output), *extra]
    for path in inputs:
        arguments += ["--input", str(path)]
    return cli.main(arguments)


def _user_files(out: Path) -> dict[str, bytes]:
    raw = out / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    files = {"data/my_analysis.csv": b"mine,1\n", "data/raw/report_a.txt": TABLE.format(7).encode(),
             "data/raw/nested/report_b.txt": TABLE.format(8).encode(), "notes.md": b"# my notes\n"}
    for relative, content in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(content)
    return files


def test_user_files_in_data_survive_builds_that_read_them(tmp_path):
    out = tmp_path / "out"
    files = _user_files(out)
    os.symlink("my_analysis.csv", out / "data" / "link.csv")
    for _ in range(2):  # the first build finds no manifest, the second the first build's
        assert _build(out, out / "data" / "raw") == 0
        for relative, content in files.items():
            assert (out / relative).read_bytes() == content, relative
        assert os.readlink(out / "data" / "link.csv") == "my_analysis.csv"
        manifest = json.loads((out / "data" / publish.MANIFEST).read_text(encoding="utf-8"))
        assert "documents.csv" in manifest["files"] and "my_analysis.csv" not in manifest["files"]
        assert not any(name.startswith("raw") for name in manifest["files"])
        valid, messages = frictionless_report(out)
        assert valid, messages
    assert sorted(p.name for p in out.glob(".govstats-*")) == []


def test_stale_outputs_of_the_build_are_removed_and_user_names_never_overwritten(tmp_path):
    out = tmp_path / "out"
    document = tmp_path / "a.txt"
    document.write_text("某县人民政府办公室2019年政府信息公开工作年度报告\n\n" + TABLE.format(3), encoding="utf-8")
    assert _build(out, document, extra=("--partition-by-year",)) == 0
    assert (out / "data" / "observations_by_year" / "report_year=2019").is_dir()
    (out / "data" / "govstats.xlsx").write_bytes(b"old workbook of an earlier build")
    (out / "data" / "mine.txt").write_text("keep", encoding="utf-8")
    assert _build(out, document) == 0  # --no-xlsx: the build's old outputs go, the user's file stays
    assert not (out / "data" / "govstats.xlsx").exists()
    assert not (out / "data" / "observations_by_year").exists()
    assert (out / "data" / "mine.txt").read_text(encoding="utf-8") == "keep"


def test_a_user_entry_is_never_overwritten_when_its_name_is_taken_meanwhile(tmp_path):
    old, target = tmp_path / "old", tmp_path / "target"
    old.mkdir()
    target.mkdir()
    (old / "mine.csv").write_text("old", encoding="utf-8")
    (old / "documents.csv").write_text("build", encoding="utf-8")
    (target / "mine.csv").write_text("new", encoding="utf-8")
    publish._keep_user_entries(old, target, {"documents.csv"})
    assert (target / "mine.csv").read_text(encoding="utf-8") == "new"
    assert (target / f"mine.csv{publish.KEPT}1").read_text(encoding="utf-8") == "old"
    assert sorted(os.listdir(old)) == ["documents.csv"]


@pytest.mark.parametrize("make", ["file", "symlink"])
def test_data_that_is_not_a_folder_is_refused(tmp_path, make, capsys):
    out = tmp_path / "out"
    out.mkdir()
    document = tmp_path / "a.txt"
    document.write_text(TABLE.format(3), encoding="utf-8")
    if make == "file":
        (out / "data").write_text("my data", encoding="utf-8")
    else:
        (tmp_path / "elsewhere").mkdir()
        os.symlink(tmp_path / "elsewhere", out / "data")
    assert _build(out, document) == cli.EXIT_USAGE
    error = capsys.readouterr().err
    assert "data" in error and ("not a folder" in error or "symbolic link" in error)
    assert not (out / "datapackage.json").exists()
    if make == "file":
        assert (out / "data").read_text(encoding="utf-8") == "my data"


def test_an_input_inside_what_the_build_replaces_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    document = tmp_path / "a.txt"
    document.write_text(TABLE.format(3), encoding="utf-8")
    assert _build(out, document) == 0
    inside = out / "data" / "documents.csv"
    before = inside.read_bytes()
    assert _build(out, inside) == cli.EXIT_USAGE
    assert "which the build replaces" in capsys.readouterr().err
    assert inside.read_bytes() == before
    (out / ".govstats-cache").mkdir(exist_ok=True)
    (out / ".govstats-cache" / "x.txt").write_text(TABLE.format(1), encoding="utf-8")
    assert _build(out, out / ".govstats-cache" / "x.txt") == cli.EXIT_USAGE
    assert "build's own" in capsys.readouterr().err


def test_a_build_killed_after_the_swap_puts_the_user_files_back(tmp_path):
    """Kill a publication between the data swap and the move back: the user's file sits in the commit folder
    until the next build, which puts it back before deleting anything."""
    out = tmp_path / "out"
    document = tmp_path / "a.txt"
    document.write_text(TABLE.format(3), encoding="utf-8")
    assert _build(out, document) == 0
    (out / "data" / "mine.csv").write_text("keep", encoding="utf-8")
    killer = ("import os, signal, sys\nfrom pathlib import Path\nfrom govstats.output import publish\n"
              "def killed(*args):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
              "publish._keep_user_entries = killed\n"
              "from govstats import cli\ncli.main(['build', '-q', '--no-xlsx', '--output', sys.argv[1], "
              "'--input', sys.argv[2]])\n")
    completed = subprocess.run([sys.executable, "-c", killer, str(out), str(document)], cwd=ROOT,
                               capture_output=True, timeout=120)
    assert completed.returncode < 0
    assert not (out / "data" / "mine.csv").exists()  # in the commit folder, with the old data
    assert [p.name for p in out.glob(publish.COMMIT + "*")]
    publish._recover(out)
    assert (out / "data" / "mine.csv").read_text(encoding="utf-8") == "keep"
    assert list(out.glob(".govstats-*")) == []
    shutil.rmtree(out)


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_a_publication_killed_at_any_step_never_loses_a_user_file(tmp_path, mode):
    """SIGKILL before each file system step of a publication (from its commit on) into a folder holding a user's
    files: after the next build's recovery every user file is back in data/, unchanged, and the package whole."""
    from tests.test_atomic import _killed_at

    if mode == "exchange" and publish._renameat2() is None:
        pytest.skip("no renameat2 here")
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(TABLE.format(1), encoding="utf-8")
    second.write_text(TABLE.format(2), encoding="utf-8")
    old, source = tmp_path / "old", tmp_path / "source"
    assert _build(old, first) == 0 and _build(source, second) == 0
    files = _user_files(old)
    probe = tmp_path / "probe"
    shutil.copytree(old, probe, symlinks=True)
    completed = _killed_at(0, source, probe, mode)
    assert completed.returncode == 0, completed.stderr
    steps = int(completed.stdout)
    # the steps before the commit only write the staging folder (tests/test_atomic.py kills at each of them)
    for step in sorted({1, *range(max(1, steps - 8), steps + 1)}):
        out = tmp_path / f"out{step}"
        shutil.copytree(old, out, symlinks=True)
        killed = _killed_at(step, source, out, mode)
        assert killed.returncode < 0, killed.stderr
        publish._recover(out)
        for relative, content in files.items():
            assert (out / relative).read_bytes() == content, f"killed before step {step}: {relative}"
        assert list(out.glob(".govstats-*")) == []
        valid, messages = frictionless_report(out)
        assert valid, messages
        shutil.rmtree(out)


def test_the_output_folder_can_be_an_input_folder(tmp_path):
    """Documents kept in the output folder are read; the build's own files there (a workbook is an .xlsx) are
    not inputs, so nothing is refused."""
    out = tmp_path / "out"
    files = _user_files(out)
    assert cli.main(["build", "-q", "--output", str(out), "--input", str(out)]) == 0
    assert cli.main(["build", "-q", "--output", str(out), "--input", str(out)]) == 0
    for relative, content in files.items():
        assert (out / relative).read_bytes() == content, relative
    assert (out / "data" / "govstats.xlsx").is_file()
    with open(out / "data" / "documents.csv", encoding="utf-8-sig") as handle:
        listed = handle.read()
    assert "govstats.xlsx" not in listed and "out/data/raw/report_a.txt" in listed
