"""The pipeline: documents → tables → observations → checks → package.

Each document is processed on its own: an error in one is recorded (file, stage, message) and the others
build. Results stream out in input order (``stream``), one document at a time, so the package can be written
as they come (``package.write_package``) and memory does not grow with the corpus; ``run`` keeps them all.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govstats import codebook as codebook_module
from govstats.agencies.resolve import resolve
from govstats.checks import run_checks
from govstats.codebook import Codebook
from govstats.documents import Document, DocumentError, describe, read_document, refine_kind
from govstats.observations.matching import LabelMatcher
from govstats.observations.normalize import Rejection, normalize_national, normalize_table
from govstats.output import package
from govstats.output.tally import Tally
from govstats.pipeline import inputs as inputs_module
from govstats.pipeline import quarantine
from govstats.pipeline.cache import DocumentCache
from govstats.pipeline.inputs import INPUT_SUFFIXES, Input, InputError, collect, document_ids  # noqa: F401 - build.X
from govstats.pipeline.metadata import Declared
from govstats.records import CheckRow, DocumentResult, DocumentRow, Observation, RejectionRow
from govstats.tables.model import Unit
from govstats.tables.national import NationalTable, find_national_tables
from govstats.tables.national_labels import Vocabulary
from govstats.tables.t2014 import find_spaced_tables, find_tables
from govstats.tables.t2014_glued import find_glued_tables


@dataclass
class BuildResult:
    """Every document's result, kept in memory (for the library, tests and ``evaluate``; the command-line
    build streams results into the package instead)."""

    results: list[DocumentResult]
    tally: Tally

    @functools.cached_property
    def records(self) -> dict[str, list[Any]]:
        """Every resource's rows: records for documents, observations, checks and rejections; dicts for the
        codebook resources (indicators, crosswalk)."""
        records: dict[str, list[Any]] = {name: [] for name in ("documents", "observations", "checks",
                                                                "rejections")}
        for result in self.results:
            records["documents"].append(result.document)
            records["observations"].extend(result.observations)
            records["checks"].extend(result.checks)
            records["rejections"].extend(result.rejections)
        codebook = self.tally.codebook
        records["indicators"] = package.indicator_records(codebook)
        records["crosswalk"] = [dict(row) for row in codebook.crosswalk]
        return records

    @property
    def timings(self) -> dict[str, float]:
        return self.tally.timings

    def accounting(self) -> dict[str, int]:
        return self.tally.accounting()

    def summary_lines(self) -> list[str]:
        return self.tally.summary_lines()


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """The documents the build reads (see ``inputs.collect`` for those it lists without reading)."""
    return [item.path for item in collect(list(paths)) if item.status == "read"]


def _source_name(path: Path) -> str:
    """A document named directly: its path as given (never relative to the working folder)."""
    return inputs_module.display_name(path.as_posix())


def _document_record(document: Document | None, doc_id: str, source_file: str, path: Path,
                     **outcome: Any) -> DocumentRow:
    """The ``documents`` row: the file's identity and what its text states, with ``outcome`` (template, counts,
    status) given by the caller."""
    if document is None:  # unreadable: still identified by its bytes, hashed in a stream
        digest, size = hashlib.sha256(), 0
        try:
            with open(path, "rb") as handle:
                digest, size = hashlib.file_digest(handle, "sha256"), path.stat().st_size
        except OSError:
            pass
        return DocumentRow(doc_id=doc_id, source_file=source_file, sha256=digest.hexdigest(), n_bytes=size,
                           n_undecodable=0, doc_kind="other", template="none", **outcome)
    return DocumentRow(doc_id=doc_id, source_file=source_file, sha256=document.sha256, n_bytes=document.n_bytes,
                       encoding=document.encoding, n_undecodable=document.n_replaced, title=document.title,
                       agency=document.agency, report_year=document.report_year,
                       published_date=document.published_date, contact=document.contact,
                       doc_kind=document.doc_kind, **resolve(document).record(), **outcome)


def _rejection_records(doc_id: str, rejections: list[Rejection]) -> list[RejectionRow]:
    return [RejectionRow(doc_id=doc_id, rejection_number=number, source_line=r.source_line, stage=r.stage,
                         reason_code=r.reason_code, raw_text=r.raw_text, message=r.message)
            for number, r in enumerate(sorted(rejections, key=lambda r: (r.source_line or 0, r.stage)), start=1)]


class _Laps:
    """Seconds spent in each stage of one document."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.stage, self.mark = "read", time.perf_counter()

    def to(self, stage: str) -> str:
        now = time.perf_counter()
        self.times[self.stage] = self.times.get(self.stage, 0.0) + now - self.mark
        self.stage, self.mark = stage, now
        return stage


def _declare(document: Document, declared: Declared) -> None:
    """Apply what the user declared, saying so (and what the text stated) in the document's notes."""
    for name, value in (("agency", declared.agency), ("report_year", declared.report_year)):
        if value is None:
            continue
        stated = getattr(document, name)
        said = "the text states none" if stated is None else f"the text states {stated}"
        if stated != value:
            document.notes.append(f"{name} {value} declared in {declared.source} ({said})")
        setattr(document, name, value)


def process_document(path: Path, doc_id: str, codebook: Codebook, matcher: LabelMatcher,
                     source_file: str | None = None, declared: Declared | None = None) -> DocumentResult:
    """One document through every stage; never raises: failures become an error status and a rejection.
    ``declared``: what the user declared about it (``build --metadata``), applied before tables are sought."""
    source_file = _source_name(path) if source_file is None else source_file
    laps = _Laps()
    stage = "read"
    try:
        document = read_document(path, doc_id, source_file, codebook.limits)
        describe(document)
        if declared is not None:
            _declare(document, declared)
        rejections = [Rejection(long.line, "read", "line_too_long", long.head,
                                f"line of {long.n_chars:,} characters, over the limit of "
                                f"{codebook.limits['max_line_chars']:,} (max_line_chars); first 200 shown")
                      for long in document.layout.overlong]
        stage = laps.to("tables")
        units = document.units
        national = find_national_tables(units, codebook, vocabulary_for(codebook), document.report_year)
        outside = [(Unit("", unit.line) if number in national.region_units else unit)
                   for number, unit in enumerate(units, start=1)]
        scan = find_tables(outside, codebook)
        spaced, spaced_rejected = find_spaced_tables(outside, codebook, len(scan.tables) + 1)
        scan.tables.extend(spaced)
        scan.rejected.extend(spaced_rejected)
        glued, glued_rejected = find_glued_tables(outside, codebook, len(scan.tables) + 1,
                                                  {table.header_line for table in spaced})
        scan.tables.extend(glued)  # the same 2014 table with its cells glued together
        scan.rejected.extend(glued_rejected)
        rejections += [Rejection(r.line, "tables", r.reason_code, r.raw, r.message)
                       for r in (*scan.rejected, *national.rejected)]
        document.notes.extend(national.notes)
        refine_kind(document, has_table=bool(scan.tables or national.tables))
        stage = laps.to("normalize")
        observations: list[Observation] = []
        checks: list[CheckRow] = []
        tables: list[tuple[int, str | None]] = []
        ordered = sorted([(t.header_unit, 0, t) for t in scan.tables] + [(t.first_unit, 1, t) for t in national.tables],
                         key=lambda item: (item[0], item[1]))
        national_rows = sum(1 for n in national.region_units if units[n - 1].is_row)
        table_lines = national_rows
        for number, (_, _, table) in enumerate(ordered, start=1):
            if isinstance(table, NationalTable):
                normalized = normalize_national(table, number, doc_id, matcher)
            else:
                table.number = number
                normalized = normalize_table(table, doc_id, document.report_year, matcher)
                if units[table.header_unit - 1].is_row:  # tables with spaces between cells have no rows
                    table_lines += 1 + len({o.row_number for o in normalized.observations})
            observations.extend(normalized.observations)
            rejections.extend(normalized.rejections)
            stage = laps.to("checks")
            checks.extend(run_checks(doc_id, number, normalized.template, normalized.observations, codebook))
            tables.append((number, normalized.template))
            stage = laps.to("normalize")
        rejected = _rejection_records(doc_id, rejections)
        templates = [t for _, t in tables if t]
        record = _document_record(
            document, doc_id, source_file, path, template=_document_template(templates), n_tables=len(ordered),
            n_pipe_lines=scan.n_pipe_lines + national_rows, n_table_lines=table_lines,
            n_observations=len(observations), n_rejections=len(rejected),
            status="ok" if ordered else "no_table", status_message="; ".join(document.notes) or None)
        result = DocumentResult(record, observations, checks, rejected, tables)
    except DocumentError as error:
        result = _failed(path, doc_id, source_file, stage, "unreadable_document", str(error))
    except Exception as error:  # one bad document must not stop the build
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        result = _failed(path, doc_id, source_file, stage, "processing_error", f"{stage}: {detail}")
    laps.to("done")
    result.timings = laps.times
    return result


def _document_template(templates: list[str]) -> str:
    """The national format when the document has one (its tables 2–4), else the 2014 table's, else none."""
    for template in ("t2021", "t2019", "t2014"):
        if template in templates:
            return template
    return "none"


@functools.cache
def vocabulary_for(codebook: Codebook) -> Vocabulary:
    return Vocabulary(codebook)


def _failed(path: Path, doc_id: str, source_file: str, stage: str, code: str, message: str) -> DocumentResult:
    rejections = _rejection_records(doc_id, [Rejection(None, stage, code, None, message)])
    record = _document_record(None, doc_id, source_file, path, n_tables=0, n_pipe_lines=0, n_table_lines=0,
                              n_observations=0, n_rejections=len(rejections), status="error",
                              status_message=message)
    return DocumentResult(record, rejections=rejections)


def document_result(path: Path, doc_id: str, source_file: str, codebook: Codebook,
                    matcher: LabelMatcher, declared: Declared | None = None) -> DocumentResult:
    """``process_document``, then its rows checked against the package schema: a document whose rows would
    break the package is quarantined (``quarantine``), so the writers never see a bad document."""
    result = process_document(path, doc_id, codebook, matcher, source_file, declared)
    try:
        found = quarantine.problems(result, codebook)
    except Exception as error:  # a row of a shape nobody expected: quarantined too
        found = [f"rows cannot be checked: {type(error).__name__}: {error}"]
    if not found:
        return result
    shown = "; ".join(found[:3]) + (f"; … and {len(found) - 3} more" if len(found) > 3 else "")
    message = (f"validate: rows break the package schema, so nothing of this document is published "
               f"(quarantined): {shown}. Please report it with the file")
    return _quarantined(result, path, "validate", "invalid_rows", message, codebook)


def _quarantined(result: DocumentResult, path: Path, stage: str, code: str, message: str,
                 codebook: Codebook) -> DocumentResult:
    """The document listed with status error and why; its identity kept where it is valid, nothing else."""
    old = result.document
    doc_id, source_file = quarantine.safe_text(old.doc_id), quarantine.safe_text(old.source_file)
    kept = _failed(path, doc_id, source_file, stage, code, message)
    checks = quarantine.field_checks(codebook, "documents")
    for name in ("sha256", "n_bytes", "encoding", "n_undecodable"):
        value = getattr(old, name)
        if value is not None and checks[name](value) is None:
            setattr(kept.document, name, value)
    kept.timings = result.timings
    return kept


def listed_result(item: Input, doc_id: str) -> DocumentResult:
    """A document that is not read (unsupported format, link, special file, unusable name): listed with its
    status and a reason that says what to do, and one document-level rejection with the same reason."""
    rejection = Rejection(None, "read", item.code or "unreadable_document", None, item.reason or item.status)
    rejections = _rejection_records(doc_id, [rejection])
    record = DocumentRow(doc_id=doc_id, source_file=item.source_file,
                         sha256=item.sha256 or hashlib.sha256().hexdigest(), n_bytes=item.n_bytes,
                         n_undecodable=0, doc_kind="other", template="none", n_tables=0, n_pipe_lines=0,
                         n_table_lines=0, n_observations=0, n_rejections=len(rejections), status=item.status,
                         status_message=item.reason)
    return DocumentResult(record, rejections=rejections)


def _note_duplicates(result: DocumentResult, item: Input) -> DocumentResult:
    if item.also:
        note = f"the same bytes are also at {', '.join(item.also)} (read once, as this document)"
        message = result.document.status_message
        result.document.status_message = f"{message}; {note}" if message else note
    return result


_WORKER: dict[str, Any] = {}


def _init_worker() -> None:
    gc.set_threshold(100_000, 50, 100)  # see fewer_gc_passes: a worker lives for one build
    codebook = codebook_module.load()
    _WORKER["codebook"], _WORKER["matcher"] = codebook, LabelMatcher(codebook)


_Task = tuple[Path, str, str, Declared | None]  # path, doc_id, source_file, what the user declared


def _process_task(task: tuple[str, str, str, Declared | None]) -> DocumentResult:
    return document_result(Path(task[0]), task[1], task[2], _WORKER["codebook"], _WORKER["matcher"], task[3])


def _results(tasks: list[_Task], jobs: int, codebook: Codebook, matcher: LabelMatcher) -> Iterator[DocumentResult]:
    """Document results in input order, computed in this process or in ``jobs`` worker processes."""
    if jobs <= 1 or len(tasks) < 2:
        for path, doc_id, source_file, declared in tasks:
            yield document_result(path, doc_id, source_file, codebook, matcher, declared)
        return
    with multiprocessing.get_context().Pool(jobs, initializer=_init_worker) as pool:
        chunk = max(1, min(64, len(tasks) // (jobs * 8)))
        yield from pool.imap(_process_task, [(str(path), doc_id, source_file, declared)
                                             for path, doc_id, source_file, declared in tasks], chunksize=chunk)


@contextlib.contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """A build allocates millions of small, acyclic records: with the default thresholds the cyclic garbage
    collector rescans every live object (label caches, buffered rows) thousands of times. Rarer passes cut the
    build time by a tenth or more; reference counting still frees the records at once."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass
class Plan:
    """The documents a build will read or list, in output order, and their cache keys."""

    items: list[Input]
    ids: list[str]
    keys: list[str | None]
    declared: list[Declared | None]  # what the user declared about each (``build --metadata``)
    undeclared: list[str]  # declarations that name no input document (where they are)

    @property
    def paths(self) -> list[Path]:
        return [item.path for item in self.items]

    @property
    def read_paths(self) -> list[Path]:
        """The paths of the documents the build reads (the others are only listed)."""
        return [item.path for item in self.items if item.status == "read"]


def plan(inputs: list[Path], cache: DocumentCache | None = None, output_dir: Path | None = None,
         metadata: dict[Path, Declared] | None = None) -> Plan:
    """Find the input documents (raises InputError when there are none); the build's own files in
    ``output_dir`` (its workbook is an .xlsx) are not inputs. ``metadata``: declarations by resolved path."""
    outputs = frozenset(package.output_files(output_dir)) if output_dir is not None else frozenset()
    items = collect(inputs, outputs)
    ids = document_ids(items)
    metadata = metadata or {}
    declared = [metadata.get(item.path.resolve()) if metadata else None for item in items]
    keys = [cache.key(item.path, doc_id, item.source_file, item.sha256, extra.cache_part() if extra else "")
            if cache and item.status == "read" and item.sha256 else None
            for item, doc_id, extra in zip(items, ids, declared, strict=True)]
    used = {id(extra) for extra in declared if extra is not None}
    undeclared = [extra.source for extra in metadata.values() if id(extra) not in used]
    return Plan(items, ids, keys, declared, undeclared)


def stream(planned: Plan, tally: Tally, progress: Callable[[int, int, Path], None] | None = None, jobs: int = 1,
           cache: DocumentCache | None = None) -> Iterator[DocumentResult]:
    """Each document's result in input order, computed in ``jobs`` processes or taken from the cache (the
    output is the same either way), counted into ``tally`` as it passes. Documents that are not read are
    listed with their reason."""
    codebook = tally.codebook
    matcher = LabelMatcher(codebook)
    cached = [cache is not None and cache.has(key) for key in planned.keys]
    todo = [(item.path, doc_id, item.source_file, declared)
            for item, doc_id, hit, declared in zip(planned.items, planned.ids, cached, planned.declared, strict=True)
            if not hit and item.status == "read"]
    fresh = _results(todo, jobs, codebook, matcher)
    for index, (item, doc_id, key, hit, declared) in enumerate(zip(planned.items, planned.ids, planned.keys,
                                                                   cached, planned.declared, strict=True), start=1):
        if item.status != "read":
            result, computed = listed_result(item, doc_id), True
        else:
            result = cache.get(key) if cache and hit else None
            computed = result is None
            if computed:  # not cached, or the cached copy could not be used
                result = next(fresh) if not hit else document_result(item.path, doc_id, item.source_file,
                                                                     codebook, matcher, declared)
                if cache:
                    cache.misses += not hit
                    cache.put(key, result)
        result = _note_duplicates(result, item)
        tally.add(result, fresh=computed)
        yield result
        if progress:
            progress(index, len(planned.items), item.path)


def run(inputs: list[Path], progress: Callable[[int, int, Path], None] | None = None, jobs: int = 1,
        cache: DocumentCache | None = None, metadata: dict[Path, Declared] | None = None) -> BuildResult:
    """Process every input document and keep every result in memory."""
    tally = Tally(codebook_module.load())
    with fewer_gc_passes():
        results = list(stream(plan(inputs, cache, metadata=metadata), tally, progress, jobs, cache))
    return BuildResult(results, tally)
