"""Every example of the README runs verbatim on the committed data and gives rows.

Python blocks run in order in one namespace (later blocks use what earlier ones loaded), each expression must
give a non-empty frame or series and each frame assigned must have rows; SQL blocks run in DuckDB; the command
lines that read a package run in a shell. Blocks about a ``--partition-by-year`` build run in a fresh one.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [(language, textwrap.dedent(code)) for indent, language, code in
          re.findall(r"^( *)```(\w+)\n(.*?)^\1```", README, flags=re.S | re.M)]
BY_YEAR = "observations_by_year"
# Command lines that install, lint, test or benchmark are not examples of reading the data.
NOT_EXAMPLES = ("python3 -m venv", "pytest", "ruff", "benchmarks/")


def _python_blocks(by_year: bool) -> list[str]:
    return [code for language, code in BLOCKS if language == "python" and (BY_YEAR in code) == by_year]


def _has_rows(value: object) -> bool:
    return not isinstance(value, (pd.DataFrame, pd.Series)) or len(value) > 0


def _run_python(code: str, namespace: dict, folder: Path) -> None:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        for statement in ast.parse(code).body:
            if isinstance(statement, ast.Expr):
                value = eval(compile(ast.Expression(statement.value), "README", "eval"), namespace)
                assert _has_rows(value), f"README example gives no rows: {ast.unparse(statement)}"
            else:
                exec(compile(ast.Module([statement], []), "README", "exec"), namespace)
                for name in (t.id for t in getattr(statement, "targets", []) if isinstance(t, ast.Name)):
                    assert _has_rows(namespace[name]), f"README example gives no rows: {name}"
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def by_year_build(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("by_year")
    subprocess.run([sys.executable, "-m", "govstats", "build", "-q", "--partition-by-year", "--no-xlsx",
                    "--output", str(output)], cwd=ROOT, check=True, timeout=600)
    return output


def test_the_readme_has_the_examples_this_test_runs():
    languages = [language for language, _ in BLOCKS]
    assert languages.count("python") >= 5 and languages.count("sql") >= 2
    assert len(_python_blocks(by_year=True)) == 1


def test_python_examples_run_on_the_committed_data():
    namespace: dict = {}
    for code in _python_blocks(by_year=False):
        _run_python(code, namespace, ROOT)
    assert {"package", "observations", "indicators", "table", "documents", "cells"} <= set(namespace)


def test_python_examples_on_a_build_by_year(by_year_build):
    namespace: dict = {"pd": pd}
    for code in _python_blocks(by_year=True):
        _run_python(code, namespace, by_year_build)


@pytest.mark.parametrize("number", [i for i, (language, _) in enumerate(BLOCKS) if language == "sql"])
def test_sql_examples_run_in_duckdb(number, by_year_build):
    code = BLOCKS[number][1]
    folder = by_year_build if BY_YEAR in code else ROOT
    previous = Path.cwd()
    os.chdir(folder)
    try:
        rows = duckdb.sql(code.strip().rstrip(";")).fetchall()
    finally:
        os.chdir(previous)
    assert rows, code


COMMANDS = [line for language, code in BLOCKS if language == "bash" for line in code.splitlines()
            if line.startswith(".venv/bin/") and not any(word in line for word in NOT_EXAMPLES)]


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(),
                    reason="the README's commands use .venv/bin: create it with python3 -m venv .venv && "
                           '.venv/bin/pip install -e ".[test]"')
@pytest.mark.parametrize("command", COMMANDS)
def test_command_examples_run(command):
    result = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
    assert result.stdout.strip(), command


def test_every_command_line_is_run_or_named_as_not_an_example():
    lines = [line for language, code in BLOCKS if language == "bash" for line in code.splitlines()]
    assert len(COMMANDS) >= 6
    assert all(line in COMMANDS or any(word in line for word in NOT_EXAMPLES) for line in lines)
