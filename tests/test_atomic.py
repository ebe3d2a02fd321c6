"""A build killed at any moment (SIGKILL) leaves the previous package or the new one: complete, valid, never mixed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govstats.output import publish
from govstats.output.validate import frictionless_report

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTOR = "datapackage.json"
# one more small document: the second build's package differs from the first in every table
EXTRA_DOCUMENT = ("某县人民政府办公室2019年政府信息公开工作年度报告\n\n"
                  "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |\n")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and atomic directory renames are POSIX")


def _build_command(output: Path, inputs: list[Path] | None = None) -> list[str]:
    command = [sys.executable, "-m", "govstats", "build", "--quiet", "--output", str(output)]
    for path in inputs or []:
        command += ["--input", str(path)]
    return command


def _build(output: Path, inputs: list[Path] | None = None) -> float:
    """Build like a user would (a subprocess, from the repository root); the seconds it took."""
    start = time.monotonic()
    result = subprocess.run(_build_command(output, inputs), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - start


def _snapshot(output: Path) -> dict[str, str]:
    """sha256 of every file under data/ and of datapackage.json, by path relative to the output folder."""
    files = [*sorted((output / "data").rglob("*")), output / DESCRIPTOR]
    return {path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in files if path.is_file()}


def _leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.glob(".govstats-*"))


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict:
    """The seed package ("old"), the package of the seeds plus one document ("new"), and a build's duration."""
    base = tmp_path_factory.mktemp("atomic")
    new_input = base / "input"
    shutil.copytree(ROOT / "seeds", new_input)
    (new_input / "zz_extra.txt").write_text(EXTRA_DOCUMENT, encoding="utf-8")
    durations = [_build(base / "old"), _build(base / "new", [new_input])]
    old, new = _snapshot(base / "old"), _snapshot(base / "new")
    assert old.keys() == new.keys()
    assert old["data/observations.csv"] != new["data/observations.csv"]
    assert old["data/documents.csv"] != new["data/documents.csv"]
    for folder in ("old", "new"):
        valid, messages = frictionless_report(base / folder)
        assert valid, messages
    return {"base": base, "input": new_input, "old": old, "new": new, "duration": max(durations)}


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_package(packages, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(packages["base"] / "old", out)
    old, new = packages["old"], packages["new"]
    assert _snapshot(out) == old
    duration = packages["duration"]
    # most of a build is start-up and parsing; publishing is its last few percent: aim there more often
    for fraction in (0.15, 0.4, 0.65, 0.8, 0.9, 0.95, 0.98, 1.02):
        state = _snapshot(out)
        # always build the other package, so that every attempt could leave a half-published mix
        inputs = [packages["input"]] if state == old else None
        process = subprocess.Popen(_build_command(out, inputs), cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode in (0, -signal.SIGKILL), stderr.decode()
        assert (out / DESCRIPTOR).is_file()
        after = _snapshot(out)
        assert after in (old, new), f"killed at {fraction:.0%} of a build: a mix of two packages"
        valid, messages = frictionless_report(out)
        assert valid, messages

    _build(out)
    assert _snapshot(out) == old
    assert _leftovers(out) == []
    valid, messages = frictionless_report(out)
    assert valid, messages


# Publishes the package in SOURCE into OUTPUT and SIGKILLs itself just before the KILL_AT-th file system
# step (a staged file written, a rename, the exchange, the descriptor replaced); KILL_AT 0: prints the count.
STEP_KILLER = r"""
import os, shutil, signal, sys
from pathlib import Path
from govstats.output import publish

source, output, kill_at, mode = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
steps = 0

def counted(function):
    def step(*args, **kwargs):
        global steps
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return step

if mode == "fallback":
    publish._renameat2 = lambda: None
os.rename, os.replace = counted(os.rename), counted(os.replace)
publish._exchange = counted(publish._exchange)
copy = counted(shutil.copyfile)

def write_into(staging):
    for path in sorted((source / "data").iterdir()):
        copy(path, staging / "data" / path.name)
    copy(source / "datapackage.json", staging / "datapackage.json")

publish.publish(output, write_into)
print(steps)
"""


def _killed_at(step: int, source: Path, output: Path, mode: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", STEP_KILLER, str(source), str(output), str(step), mode],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("mode", "descriptor_changes"), [("exchange", False), ("exchange", True),
                                                          ("fallback", False)])
def test_a_publication_killed_between_any_two_steps_is_recoverable(packages, tmp_path, mode, descriptor_changes):
    """Every intermediate state of a publication, made real by a SIGKILL: the reader sees the old or the new
    package (except in the windows ``publish`` documents), and the next build's ``_recover`` completes it."""
    if mode == "exchange" and publish._renameat2() is None:
        pytest.skip("no renameat2 here")
    source = tmp_path / "source"
    shutil.copytree(packages["base"] / "new", source)
    old, new = packages["old"], dict(packages["new"])
    if descriptor_changes:  # as after a new govstats version: the descriptor changes with the data
        descriptor = json.loads((source / DESCRIPTOR).read_text(encoding="utf-8"))
        descriptor["title"] += " (changed)"
        (source / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        new[DESCRIPTOR] = hashlib.sha256((source / DESCRIPTOR).read_bytes()).hexdigest()
    allowed = [old, new]
    if descriptor_changes:  # window (a): the new data/ beside the old descriptor
        allowed.append({**new, DESCRIPTOR: old[DESCRIPTOR]})
    if mode == "fallback":  # window (b): data/ renamed aside, the new one not yet in
        allowed.append({DESCRIPTOR: old[DESCRIPTOR]})

    probe = tmp_path / "probe"
    shutil.copytree(packages["base"] / "old", probe)
    completed = _killed_at(0, source, probe, mode)
    assert completed.returncode == 0, completed.stderr
    assert _snapshot(probe) == new and _leftovers(probe) == []
    steps = int(completed.stdout)

    seen, recovered = [], []
    for step in range(1, steps + 1):
        out = tmp_path / f"out{step}"
        shutil.copytree(packages["base"] / "old", out)
        killed = _killed_at(step, source, out, mode)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        state = _snapshot(out)
        assert state in allowed, f"killed before step {step} of {steps}"
        seen.append(allowed.index(state))
        publish._recover(out)
        assert _leftovers(out) == []
        after = _snapshot(out)
        assert after in (old, new), f"killed before step {step} of {steps}, then recovered"
        recovered.append(after == new)
    # the kills cover both sides of the commit point, and once committed a publication is never undone
    assert recovered[0] is False and recovered[-1] is True
    assert recovered == sorted(recovered)
    if mode == "exchange" and not descriptor_changes:
        assert set(seen) == {0, 1}
    else:
        assert 2 in seen  # the documented window was hit, and recovered from
