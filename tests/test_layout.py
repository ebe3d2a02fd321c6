"""The README's layout is the package's layout: every module listed exists, every module exists in the list,
and each imports only modules listed above it (data flows one way)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "govstats"


def listed_modules() -> list[str]:
    block = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("```text", 1)[1]
    block = block.split("```", 1)[0]
    return [m.group(1) for m in re.finditer(r"^  (\S+\.py)\b", block, re.M)]


def dotted(relative: str) -> str:
    name = "govstats." + relative.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def test_every_listed_module_exists_and_every_module_is_listed():
    listed = listed_modules()
    assert len(listed) == len(set(listed))
    assert all((PACKAGE / relative).is_file() for relative in listed), [r for r in listed if not (PACKAGE / r).is_file()]
    present = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    package_inits = {p for p in present if p.endswith("/__init__.py") and p not in listed}
    assert present - package_inits == set(listed), sorted(present - package_inits - set(listed))


def imported(path: Path) -> set[str]:
    """The govstats modules a module imports; for the package's ``__init__.py`` (the library API, whose functions
    import their stage when called) only its module-level imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if path.name == "__init__.py" and path.parent == PACKAGE else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("govstats"):
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("govstats"))
    return names


def test_each_module_imports_only_modules_listed_above_it():
    order = [dotted(relative) for relative in listed_modules()]
    rank = {name: index for index, name in enumerate(order)}
    for index, relative in enumerate(listed_modules()):
        for name in imported(PACKAGE / relative):
            if name in rank:  # a module (not a function imported from one)
                assert rank[name] < index or name == "govstats", f"{relative} imports {name}, listed below it"
