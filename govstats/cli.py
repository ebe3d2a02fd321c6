"""Command line: thin commands over the library. Heavy imports happen inside the commands.

Exit codes: 0 success; 1 ``--strict`` and a document failed or an error-level check failed (or validation
found errors); 2 bad usage or inputs; 3 the built data broke its own schema (nothing was published);
4 the outputs could not be written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from govstats import __version__

EXIT_OK, EXIT_STRICT, EXIT_USAGE, EXIT_SCHEMA, EXIT_WRITE = 0, 1, 2, 3, 4
PROGRESS_THRESHOLD = 50


AUTO_JOBS_FROM = 200  # below this many documents, starting worker processes costs more than it saves


def _jobs(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, not {text!r}") from None


def auto_jobs(n_documents: int) -> int:
    """One process per CPU this process may use (at most 8) for a large input; one for a small one, whose
    build would be slowed by starting workers. The output is the same either way."""
    if n_documents < AUTO_JOBS_FROM:
        return 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(8, usable))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m govstats",
        description="Recover the statistics tables of Chinese government information-disclosure annual "
                    "reports (政府信息公开工作年度报告) as validated open data.",
        epilog="Exit codes: 0 ok; 1 --strict and a document failed or an error-level check failed "
               "(evaluate: a gold cell was wrong or missed); "
               "2 bad usage or inputs; 3 the built data broke its schema (nothing published); "
               "4 outputs could not be written.")
    parser.add_argument("--version", action="version", version=f"govstats {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build data/ and datapackage.json from documents",
                                description="Read documents (default: seeds/), recover their statistics tables, "
                                            "check them and write CSV, Parquet, XLSX and datapackage.json.")
    build.add_argument("--input", action="append", type=Path, metavar="PATH",
                       help="a document or a folder of documents (.txt, .md, .html); repeatable (default: seeds)")
    build.add_argument("--output", type=Path, default=Path("."), metavar="DIR",
                       help="where datapackage.json and data/ are written (default: current folder)")
    build.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    build.add_argument("--strict", action="store_true",
                       help="exit 1 if a document failed or an error-level check failed")
    build.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                       help="read documents in N processes (same output as one process; default: one per CPU "
                            f"when there are at least {AUTO_JOBS_FROM} documents to read, else 1)")
    build.add_argument("--metadata", type=Path, metavar="FILE.csv",
                       help="declare what documents do not state: a CSV with columns file (relative to the CSV), "
                            "agency, report_year; a declared value replaces the text's, and the document says so")
    build.add_argument("--incremental", action="store_true",
                       help="reuse the results of unchanged documents from DIR/.govstats-cache (same output as "
                            "a clean build)")

    build.add_argument("--no-xlsx", action="store_true",
                       help="skip the workbook (the slowest output to write; CSV and Parquet hold everything)")
    build.add_argument("--partition-by-year", action="store_true",
                       help="also write data/observations_by_year/report_year=YYYY/*.parquet (hive style)")

    parse = commands.add_parser("parse", help="print the normalized rows recovered from one document",
                                description="Show what govstats reads from one document, row by row.")
    parse.add_argument("file", type=Path, help="the document to read")

    validate = commands.add_parser("validate", help="validate a built package with Frictionless",
                                   description="Run Frictionless on DIR/datapackage.json (types, keys, "
                                               "foreign keys, constraints).")
    validate.add_argument("dir", type=Path, nargs="?", default=Path("."), help="package folder (default: .)")
    validate.add_argument("--limit-rows", type=int, metavar="N",
                          help="check only the first N rows of each resource (bounded time on large packages)")
    validate.add_argument("--resource", metavar="NAME", help="check only this resource (e.g. documents)")

    evaluate = commands.add_parser("evaluate", help="score a build against hand-checked gold cells",
                                   description="Build the documents in memory (nothing is written) and compare "
                                               "their observations with the gold JSON files: per document and "
                                               "total cells correct, wrong value, missed and spurious.")
    evaluate.add_argument("--gold", type=Path, default=Path("tests/fixtures/corpus/gold"), metavar="DIR",
                          help="folder of gold *.json files (default: tests/fixtures/corpus/gold)")
    evaluate.add_argument("--input", action="append", type=Path, metavar="PATH",
                          help="a document or a folder of documents; repeatable "
                               "(default: tests/fixtures/corpus/raw)")
    evaluate.add_argument("-v", "--verbose", action="store_true",
                          help="also list every wrong, missed and spurious cell")
    evaluate.add_argument("--strict", action="store_true", help="exit 1 if any gold cell is wrong or missed")
    return parser


def _usage(message: str) -> int:
    """Bad usage: say what is wrong and what to do instead, exit 2."""
    print(f"govstats: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _not_a_folder(path: Path) -> Path | None:
    """The first part of ``path`` that exists but is not a folder (so nothing can be written under it)."""
    for part in (path, *path.parents):
        if part.exists():
            return None if part.is_dir() else part
    return None


def _text(value: object) -> str:
    return "not stated" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"build": _build, "parse": _parse, "validate": _validate, "evaluate": _evaluate}
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


class _Progress:
    """Progress of a large build on stderr, about every 5%: documents done, rate, time left."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.shown = False

    def __call__(self, index: int, total: int, path: Path) -> None:
        if self.quiet or total < PROGRESS_THRESHOLD:
            return
        step = max(1, total // 20)
        if index % step and index != total:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = index / elapsed
        left = f"about {_duration((total - index) / rate)} left" if index < total else f"in {_duration(elapsed)}"
        print(f"  [{index:,}/{total:,}] {index / total:4.0%} · {rate:,.0f} documents/s · {left} · {path.name}",
              file=sys.stderr, flush=True)
        self.shown = True

    def announce(self, message: str) -> None:
        """A step after the documents (only when progress is being shown: small builds stay quiet)."""
        if self.shown:
            print(f"  {message}", file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _build(args: argparse.Namespace) -> int:
    from govstats.codebook import load
    from govstats.output import package
    from govstats.output.tally import Tally
    from govstats.pipeline import build, metadata
    from govstats.pipeline.cache import DocumentCache

    inputs = args.input or [Path("seeds")]
    if args.jobs is not None and args.jobs < 1:
        return _usage(f"--jobs must be at least 1 (the number of processes that read documents), not {args.jobs}")
    blocking = _not_a_folder(args.output)
    if blocking is not None:
        return _usage(f"--output must name a folder to hold datapackage.json and data/, but {blocking} is a file: "
                      "give a folder (it is created if missing)")
    cache = DocumentCache(args.output / ".govstats-cache") if args.incremental else None
    started = time.perf_counter()
    try:
        declared = metadata.load(args.metadata) if args.metadata is not None else None
    except metadata.MetadataError as error:
        return _usage(f"{error} (see README, Declaring what a document does not state)")
    try:
        planned = build.plan(inputs, cache, args.output, declared)
        package.check_output(args.output, planned.read_paths)
    except build.InputError as error:
        return _usage(f"{error}: give --input a document or a folder of {', '.join(build.INPUT_SUFFIXES)} files "
                      "(default: seeds/, read from the repository root)")
    except package.TargetError as error:
        return _usage(str(error))
    for where in planned.undeclared:  # a mistyped name must not pass as a declaration that was applied
        print(f"govstats: warning: {where} names a file that is not among the input documents; it is ignored",
              file=sys.stderr)
    tally = Tally(load())
    progress = _Progress(args.quiet)
    jobs = args.jobs if args.jobs is not None else auto_jobs(len(planned.read_paths))
    results = build.stream(planned, tally, progress=progress, jobs=jobs, cache=cache)
    try:
        with build.fewer_gc_passes():
            package.write_package(args.output, tally.codebook, results, tally, workbook=not args.no_xlsx,
                                  partition_by_year=args.partition_by_year, announce=progress.announce)
    except package.SchemaFailure as failure:
        print("govstats: error: the built data does not match its schema; nothing was written:", file=sys.stderr)
        for line in failure.failures[:20]:
            print(f"  {line}", file=sys.stderr)
        if failure.n_failures > 20:
            print(f"  … and {failure.n_failures - 20} more", file=sys.stderr)
        return EXIT_SCHEMA
    except package.TargetError as error:
        print(f"govstats: error: {error}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"govstats: error: cannot write outputs to {args.output}: {error}", file=sys.stderr)
        return EXIT_WRITE
    if not args.quiet:
        formats = "CSV, Parquet" + ("" if args.no_xlsx else ", govstats.xlsx") + ", report.html"
        summary = [*tally.summary_lines(),
                   f"  outputs:       {(args.output / 'datapackage.json').as_posix()} and "
                   f"{(args.output / 'data').as_posix()}/ ({formats})"]
        stages = ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in tally.timings.items())
        outputs = ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in tally.output_timings.items())
        summary.append(f"  time:          {time.perf_counter() - started:.2f} s: documents ({stages}; summed over "
                       f"{jobs} process{'es' if jobs > 1 else ''}), outputs ({outputs})")
        if cache:
            summary.append(f"  incremental:   {cache.summary()}")
        if args.metadata is not None:
            used = sum(extra is not None for extra in planned.declared)
            summary.append(f"  declared:      {used} document(s) described by {args.metadata.as_posix()}")
        print("\n".join(summary))
        for line in tally.problem_lines():
            print(line)
    failed = tally.counts["documents_failed"] or tally.counts["checks_failed_error"]
    return EXIT_STRICT if args.strict and failed else EXIT_OK


def _parse(args: argparse.Namespace) -> int:
    from govstats.codebook import load
    from govstats.observations.matching import LabelMatcher
    from govstats.output.package import format_cell
    from govstats.pipeline import build

    if args.file.is_dir():
        return _usage(f"parse reads one document, and {args.file} is a folder: name a file in it, or read the "
                      f"whole folder with: python -m govstats build --input {args.file}")
    if not args.file.is_file():
        return _usage(f"document not found: {args.file} (parse reads one .txt, .md or .html file)")
    codebook = load()
    result = build.process_document(args.file, args.file.stem, codebook, LabelMatcher(codebook))
    document = result.document
    print(f"{document.source_file}: {document.status}; agency {_text(document.agency)}; "
          f"year {_text(document.report_year)}; published {_text(document.published_date)}; "
          f"kind {document.doc_kind}; template {document.template}; {document.n_tables} table(s)")
    if document.status_message:
        print(f"  note: {document.status_message}")
    if document.agency_name:
        where = " / ".join(f"{getattr(document, f'{level}_name')} {getattr(document, f'{level}_code')}"
                           for level in ("province", "city", "county") if getattr(document, f"{level}_code"))
        print(f"  agency: {document.agency_name} ({_text(document.agency_kind)}, level "
              f"{_text(document.agency_level)}); where: {where or '-'}; agency_id {_text(document.agency_id)}"
              + (f"; flags {document.agency_flags}" if document.agency_flags else "")
              + (f"; candidates {document.region_candidates}" if document.region_candidates else ""))
    columns = ("source_line", "source_column", "indicator_id", "row_label", "row_note", "raw_value", "value", "unit",
               "status", "flag_codes")
    if result.observations:
        print("\t".join(columns))
        for obs in result.observations:
            print("\t".join(format_cell(getattr(obs, c)) for c in columns))
    for rejection in result.rejections:
        where = "the whole document" if rejection.source_line is None else f"line {rejection.source_line}"
        print(f"rejected {where}: {rejection.reason_code}: {rejection.message}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from govstats.output.validate import frictionless_report

    descriptor = args.dir / "datapackage.json"
    if not descriptor.is_file():
        return _usage(f"no datapackage.json in {args.dir}: name the folder that holds it, or build one with: "
                      f"python -m govstats build --output {args.dir}")
    if args.limit_rows is not None and args.limit_rows < 1:
        return _usage(f"--limit-rows must be at least 1 (rows checked per resource), not {args.limit_rows}")
    try:
        names = [resource["name"] for resource in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]]
    except (ValueError, KeyError, TypeError) as error:
        return _usage(f"{descriptor} is not a data package descriptor ({error}): rebuild it with "
                      f"python -m govstats build --output {args.dir}")
    if args.resource is not None and args.resource not in names:
        return _usage(f"no resource named {args.resource!r} in {descriptor}: choose one of {', '.join(names)}")
    valid, messages = frictionless_report(args.dir, limit_rows=args.limit_rows, resource=args.resource)
    for message in messages:
        print(message)
    print("valid" if valid else "invalid")
    return EXIT_OK if valid else EXIT_STRICT


def _evaluate(args: argparse.Namespace) -> int:
    from govstats.codebook import load
    from govstats.evaluate import evaluate, format_report
    from govstats.pipeline import build

    inputs = args.input or [Path("tests/fixtures/corpus/raw")]
    if not args.gold.is_dir() or not any(args.gold.glob("*.json")):
        problem = "no gold *.json files in" if args.gold.is_dir() else "gold folder not found:"
        return _usage(f"{problem} {args.gold}: give --gold the folder of gold files (the default, "
                      "tests/fixtures/corpus/gold, is found from the repository root)")
    try:
        result = build.run(inputs, progress=_Progress(False))
    except build.InputError as error:
        return _usage(f"{error}: give --input a document or a folder of documents (default: "
                      "tests/fixtures/corpus/raw, from the repository root)")
    try:
        scores = evaluate(result.records, args.gold, load())
    except ValueError as error:  # a gold file that is not valid JSON or not in the gold format
        return _usage(f"{error}: fix the gold file or leave it out of --gold")
    print(format_report(scores, verbose=args.verbose))
    failed = any(s.wrong or s.missed for s in scores if s.built)
    return EXIT_STRICT if args.strict and failed else EXIT_OK
