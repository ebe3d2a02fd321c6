"""Typed, validated frames of records held in memory (pandera schemas derived from the codebook, run lazily so
every failure is collected), and Frictionless on a written package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govstats import schemas
from govstats.codebook import Codebook


def typed_frames(codebook: Codebook, records: dict[str, list[dict]]) -> tuple[dict[str, Any], list[str]]:
    """Typed DataFrames for every resource (as read back from the Parquet files) and the schema failures
    found in them (empty when valid). For records held in memory; a build validates row group by row group."""
    from govstats.sink import arrow_table, pandas_frame, validate_table

    frames, failures = {}, []
    for resource in schemas.RESOURCES:
        table = arrow_table(codebook, resource, records[resource], failures)
        failures.extend(validate_table(codebook, resource, table))
        frames[resource] = pandas_frame(table)
    return frames, failures


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
