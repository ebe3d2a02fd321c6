"""Frictionless on a written package (the build itself validates every row with pandera: see sink.py)."""

from __future__ import annotations

from pathlib import Path


def frictionless_report(package_dir: Path, limit_rows: int | None = None,
                        resource: str | None = None) -> tuple[bool, list[str]]:
    """Run Frictionless on datapackage.json (the first ``limit_rows`` rows of each resource, or one resource);
    return (valid, messages naming resource, row and field)."""
    from frictionless import Package, system

    with system.use_context(trusted=True):
        package = Package(str(package_dir / "datapackage.json"))
        if resource is not None and resource not in package.resource_names:
            return False, [f"package: no resource named {resource!r} (resources: {', '.join(package.resource_names)})"]
        report = package.validate(name=resource, limit_rows=limit_rows)
    messages = []
    for task in report.tasks:
        for error in task.errors[:20]:
            messages.append(f"{task.name}: {error.message}")
    messages.extend(f"package: {error.message}" for error in report.errors[:20])
    return report.valid, messages
