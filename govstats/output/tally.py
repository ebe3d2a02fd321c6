"""Running totals of a build, kept as document results stream past: the summary, the line accounting, the
foreign keys and the first problems to show. Nothing here holds the rows themselves, so memory does not
grow with the corpus (beyond one id per document)."""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govstats import __version__
from govstats.codebook import Codebook

if TYPE_CHECKING:
    from govstats.records import DocumentResult

_PROBLEMS_SHOWN = 10
_FAILURES_KEPT = 50


@dataclass
class Tally:
    codebook: Codebook
    counts: Counter = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over documents
    output_timings: dict[str, float] = field(default_factory=dict)  # seconds spent writing each output
    failures: list[str] = field(default_factory=list)  # the built data breaking its own rules
    n_failures: int = 0
    problems: list[str] = field(default_factory=list)  # failed documents and error-level checks, to print
    n_problems: int = 0
    doc_ids: set[str] = field(default_factory=set)

    def add(self, result: DocumentResult, fresh: bool = True) -> None:
        """Count one document's result; ``fresh`` when it was computed now (its timings count)."""
        if fresh:
            for stage, seconds in result.timings.items():
                self.timings[stage] = self.timings.get(stage, 0.0) + seconds
        document, c = result.document, self.counts
        doc_id = document.doc_id
        if doc_id in self.doc_ids:
            self.fail(f"documents.doc_id: {doc_id!r} appears twice")
        self.doc_ids.add(doc_id)
        c["documents"] += 1
        c["documents_with_tables"] += document.n_tables > 0
        c["tables"] += document.n_tables
        if document.status == "error":
            c["documents_failed"] += 1
            self._problem(f"failed: {document.source_file}: {document.status_message}")
        elif document.status in ("unsupported", "skipped"):
            c["documents_not_read"] += 1
            self._problem(f"not read: {document.source_file}: {document.status_message}")
        self._observations(result, doc_id)
        self._checks(result, doc_id)
        self._rejections(result, doc_id)

    def _observations(self, result: DocumentResult, doc_id: str) -> None:
        """Counted a column at a time (a document has a hundred observations or more); the rows are gone
        through one by one only to name a failure."""
        c, indicators, observations = self.counts, self.codebook.indicators, result.observations
        c["observations"] += len(observations)
        if not observations:
            return
        c.update(map(_STATUS, observations))
        c["with_warnings"] += sum(map(bool, map(_WARNINGS, observations)))
        indicator_ids = list(map(_INDICATOR, observations))
        n_matched = sum(map(bool, indicator_ids))
        if n_matched < len(indicator_ids):
            c["unmatched"] += len(indicator_ids) - n_matched
        if set(filter(None, indicator_ids)) <= indicators.keys() and \
                list(map(_DOC_ID, observations)).count(doc_id) == len(observations):
            return
        for observation in observations:
            indicator_id = observation.indicator_id
            if indicator_id and indicator_id not in indicators:
                self.fail(f"observations: indicator_id {indicator_id!r} is not in indicators")
            if observation.doc_id != doc_id:
                self.fail(f"observations: doc_id {observation.doc_id!r} is not in documents")

    def _checks(self, result: DocumentResult, doc_id: str) -> None:
        c = self.counts
        c["checks"] += len(result.checks)
        for check in result.checks:
            status = check.status
            if status == "pass":
                c["checks_passed"] += 1
            elif status == "fail":
                if check.severity == "error":
                    c["checks_failed_error"] += 1
                    self._problem(f"check failed: {doc_id} {check.check_id}: {check.message}"
                                  f" (lines {check.source_lines})")
                else:
                    c["checks_failed_warning"] += 1
            else:
                c["checks_not_assessable"] += 1
            if check.doc_id != doc_id:
                self.fail(f"checks: doc_id {check.doc_id!r} is not in documents")

    def _rejections(self, result: DocumentResult, doc_id: str) -> None:
        """Line accounting: every pipe line read is a line in a table or a rejected line."""
        c, scopes, document = self.counts, self.codebook.issue_scopes, result.document
        rows_rejected = 0
        for rejection in result.rejections:
            scope = scopes[rejection.reason_code]
            if scope == "line" and rejection.stage != "read":
                rows_rejected += 1
            c["cells_rejected"] += scope == "cell"
            c["documents_rejected"] += scope == "document"
            c["long_lines_rejected"] += rejection.reason_code == "line_too_long"
            if rejection.doc_id != doc_id:
                self.fail(f"rejections: doc_id {rejection.doc_id!r} is not in documents")
        c["rejections"] += len(result.rejections)
        c["rows_rejected"] += rows_rejected
        c["pipe_lines"] += document.n_pipe_lines
        c["table_lines"] += document.n_table_lines
        accounted = document.n_table_lines + rows_rejected
        if accounted != document.n_pipe_lines:
            self.fail(f"documents.{doc_id}: {document.n_pipe_lines} table rows read but {accounted} accounted "
                      "for (lines in tables + rejected lines)")

    def fail(self, message: str) -> None:
        """Record that the built data breaks a rule of its own (the package is then not published)."""
        self.n_failures += 1
        if len(self.failures) < _FAILURES_KEPT:
            self.failures.append(message)

    def _problem(self, message: str) -> None:
        self.n_problems += 1
        if len(self.problems) < _PROBLEMS_SHOWN:
            self.problems.append(message)

    @property
    def unbalanced(self) -> int:
        return self.counts["pipe_lines"] - (self.counts["table_lines"] + self.counts["rows_rejected"])

    def accounting(self) -> dict[str, int]:
        names = ("pipe_lines", "table_lines", "rows_rejected", "long_lines_rejected", "cells_rejected",
                 "documents_rejected")
        return {**{name: self.counts[name] for name in names}, "unbalanced": self.unbalanced}

    def problem_lines(self) -> list[str]:
        hidden = self.n_problems - len(self.problems)
        more = [f"  … and {hidden} more (see data/documents.csv and data/checks.csv)"] if hidden else []
        return [f"  {line}" for line in self.problems] + more

    def summary_lines(self) -> list[str]:
        """The build summary (also written into the workbook's README sheet)."""
        c, a = self.counts, self.accounting()
        return [
            f"govstats {__version__}: {c['documents']} documents read, {c['documents_with_tables']} with tables, "
            f"{c['documents_failed']} failed"
            + (f", {c['documents_not_read']} listed but not read (unsupported formats, links or special files)"
               if c["documents_not_read"] else ""),
            f"  tables:        {c['tables']}",
            f"  observations:  {c['observations']} ({c['reported']} reported, {c['blank']} blank, "
            f"{c['placeholder']} placeholder, {c['unparsable']} unparsable; {c['with_warnings']} with warnings, "
            f"{c['unmatched']} without indicator)",
            f"  rejections:    {c['rejections']} source lines or cells not turned into observations",
            f"  accounting:    {a['pipe_lines']} table rows = {a['table_lines']} in tables + "
            f"{a['rows_rejected']} rejected"
            + (" (balanced)" if a["unbalanced"] == 0 else f" (UNBALANCED by {a['unbalanced']})"),
            f"  also rejected: {a['cells_rejected']} cells, {a['long_lines_rejected']} over-long lines, "
            f"{a['documents_rejected']} documents not read or quarantined",
            f"  checks:        {c['checks']} ({c['checks_passed']} pass, {c['checks_failed_error']} fail, "
            f"{c['checks_failed_warning']} warning-level fail, {c['checks_not_assessable']} not assessable)",
        ]


_STATUS, _WARNINGS = operator.attrgetter("status"), operator.attrgetter("warning_codes")
_INDICATOR, _DOC_ID = operator.attrgetter("indicator_id"), operator.attrgetter("doc_id")
