"""Shared fixtures: one build of the seeds per test session, into a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from govstats.codebook import load
from govstats.output.package import write_package
from govstats.pipeline import build

# CI explores the same examples on every run (reproducible); locally each run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS_RAW = FIXTURES / "corpus" / "raw"


@pytest.fixture(scope="session")
def codebook():
    return load()


def build_into(inputs: list[Path], output: Path) -> build.BuildResult:
    """What ``python -m govstats build`` does, as a library call."""
    result = build.run(inputs)
    write_package(output, load(), result.results, result.tally)
    assert result.tally.failures == []
    return result


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> tuple[build.BuildResult, Path]:
    """The seeds built from the repository root (as the CLI does) into a temporary folder."""
    output = tmp_path_factory.mktemp("seed_build")
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        result = build_into([Path("seeds")], output)
    finally:
        os.chdir(previous)
    return result, output
