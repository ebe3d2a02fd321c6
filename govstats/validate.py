"""Validate the combined records with the pandera schemas derived from the codebook (lazily: every
failure is collected), and check a written package with Frictionless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govstats import schemas
from govstats.codebook import Codebook


def typed_frames(codebook: Codebook, records: dict[str, list[dict]]) -> tuple[dict[str, Any], list[str]]:
    """Typed DataFrames for every resource and the schema failures found in them (empty when valid)."""
    import pandera.errors

    frames, failures = {}, []
    for resource in schemas.RESOURCES:
        frame = schemas.frame(codebook, resource, records[resource])
        try:
            schemas.pandera_schema(codebook, resource).validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            for case in cases.head(50).itertuples(index=False):
                failures.append(f"{resource}.{case.column}: {case.check} failed for {case.failure_case!r}"
                                f" (row {case.index})")
            if len(cases) > 50:
                failures.append(f"{resource}: … and {len(cases) - 50} more schema failures")
        frames[resource] = frame
    failures.extend(_foreign_key_failures(records))
    failures.extend(_accounting_failures(codebook, records))
    return frames, failures


def _accounting_failures(codebook: Codebook, records: dict[str, list[dict]]) -> list[str]:
    """Per document: pipe lines read = lines inside recovered tables + rejected lines, or something was lost."""
    scopes = codebook.issue_scopes
    rejected: dict[str, int] = {}
    for rejection in records["rejections"]:
        if scopes[rejection["reason_code"]] == "line" and rejection["stage"] != "read":
            rejected[rejection["doc_id"]] = rejected.get(rejection["doc_id"], 0) + 1
    failures = []
    for document in records["documents"]:
        accounted = document["n_table_lines"] + rejected.get(document["doc_id"], 0)
        if accounted != document["n_pipe_lines"]:
            failures.append(f"documents.{document['doc_id']}: {document['n_pipe_lines']} pipe lines read but "
                            f"{accounted} accounted for (lines in tables + rejected lines)")
    return failures


def _foreign_key_failures(records: dict[str, list[dict]]) -> list[str]:
    doc_ids = {d["doc_id"] for d in records["documents"]}
    indicator_ids = {i["indicator_id"] for i in records["indicators"]}
    failures = []
    for resource in ("observations", "checks", "rejections"):
        for record in records[resource]:
            if record["doc_id"] not in doc_ids:
                failures.append(f"{resource}: doc_id {record['doc_id']!r} is not in documents")
            if record.get("indicator_id") and record["indicator_id"] not in indicator_ids:
                failures.append(f"{resource}: indicator_id {record['indicator_id']!r} is not in indicators")
    return failures


def frictionless_report(package_dir: Path) -> tuple[bool, list[str]]:
    """Run Frictionless on datapackage.json; return (valid, messages naming resource, row and field)."""
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(package_dir / "datapackage.json")).validate()
    messages = []
    for task in report.tasks:
        for error in task.errors[:20]:
            messages.append(f"{task.name}: {error.message}")
    messages.extend(f"package: {error.message}" for error in report.errors[:20])
    return report.valid, messages
