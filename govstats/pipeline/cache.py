"""Incremental builds: each document's result is cached under a key made of its bytes, its name in the build,
the codebook version and a fingerprint of the code, so a rebuild redoes only new or changed documents and
gives the same output as a clean build.

A cache that cannot lie: an entry is data (gzipped JSON, never pickle: loading it runs no code) and carries
the SHA-256 of its own content and of the exact bytes the document reader parsed. An entry that is damaged,
stale or does not match the file planned is discarded (and counted) and the document read again; a result
whose bytes differ from the bytes planned (the file changed during the build) is not stored. A full or
unwritable cache folder only stops the cache from being written, never the build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from govstats import __version__
from govstats.records import ROW_TYPES, DocumentResult

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # govstats/
FORMAT = "govstats-cache/3"
SUFFIX = ".json.gz"
TEMPORARY = ".tmp-"
STALE_SECONDS = 3600  # a temporary file this old belongs to no running build
_ROWS = ("observations", "checks", "rejections")


@cache
def code_fingerprint() -> str:
    """Version, code and codebook files: any change to them makes every cached result stale."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.glob("codebook/*")]):
        if path.is_file():
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(item: dict) -> Any:
    if len(item) == 1 and "$date" in item:
        return dt.date.fromisoformat(item["$date"])
    return item


def dump_result(result: DocumentResult) -> bytes:
    """A document result as canonical JSON bytes (timings are not kept: they describe one run). Each row is
    the list of its values, under the names of its record's fields (checked again on load)."""
    content = {"fields": {name: list(row_type.names) for name, row_type in ROW_TYPES.items()},
               "document": result.document.values(),
               **{name: [row.values() for row in getattr(result, name)] for name in _ROWS},
               "tables": [list(table) for table in result.tables]}
    return json.dumps(content, default=_encode, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def load_result(payload: bytes) -> DocumentResult:
    """The inverse of ``dump_result``; raises on anything that is not a document result (rows of other fields
    than the records', or of the wrong length, included)."""
    content = json.loads(payload.decode("utf-8"), object_hook=_decode)
    if content["fields"] != {name: list(row_type.names) for name, row_type in ROW_TYPES.items()} or not all(
            isinstance(content[name], list) and all(isinstance(row, list) for row in content[name])
            for name in _ROWS) or not isinstance(content["document"], list):
        raise ValueError("not a document result")
    document = _row("documents", content["document"])
    rows = [[_row(name, row) for row in content[name]] for name in _ROWS]
    tables = [(int(number), None if template is None else str(template)) for number, template in content["tables"]]
    return DocumentResult(document, *rows, tables=tables)


def _row(resource: str, values: list) -> Any:
    """A row record from the values ``dump_result`` listed (TypeError or ValueError when they do not fit)."""
    row_type = ROW_TYPES[resource]
    return row_type(**dict(zip(row_type.names, values, strict=True)))


class DocumentCache:
    """One gzipped JSON entry per document result in ``folder`` (delete the folder to reset it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.discarded = 0  # entries found damaged, stale or not matching, and deleted
        self.not_stored = 0  # results not stored: the file changed between planning and reading
        self.write_error: str | None = None  # why the cache stopped being written (full, read-only …)
        self._planned: dict[str, str] = {}  # key → SHA-256 of the file when the build was planned
        self._clean()

    def key(self, path: Path, doc_id: str, source_file: str, content: str | None = None,
            declared: str = "") -> str | None:
        """The entry key of a document; ``content``: the SHA-256 of its bytes when already known;
        ``declared``: what the user declared about it (a changed declaration is a different result)."""
        if content is None:
            try:
                with open(path, "rb") as handle:
                    content = hashlib.file_digest(handle, "sha256").hexdigest()
            except OSError:
                return None  # unreadable: processed (and reported) every time
        extra = f"|{declared}" if declared else ""  # keys of undeclared documents are as they were
        key = hashlib.sha256(f"{content}|{doc_id}|{source_file}|{code_fingerprint()}{extra}".encode()).hexdigest()
        self._planned[key] = content
        return key

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def has(self, key: str | None) -> bool:
        return key is not None and self._path(key).is_file()

    def get(self, key: str | None) -> DocumentResult | None:
        """The cached result, or None (a miss) when there is none; an entry that is damaged or does not match
        the file planned is deleted and counted in ``discarded``."""
        if key is None:
            return None
        path = self._path(key)
        try:
            with gzip.open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # any damage (bad gzip, CRC, truncation, foreign entry): read the document again
            return self._discard(path)
        try:
            header, payload = data.split(b"\n", 1)
            meta = json.loads(header)
            if (meta["format"] != FORMAT or meta["key"] != key or meta["source_sha256"] != self._planned.get(key)
                    or meta["content_sha256"] != hashlib.sha256(payload).hexdigest()):
                raise ValueError("entry does not match")
            result = load_result(payload)
            if result.document.sha256 != meta["source_sha256"]:
                raise ValueError("result of other bytes")
        except Exception:  # any damage (bad gzip, CRC, truncation, foreign entry): read the document again
            return self._discard(path)
        self.hits += 1
        return result

    def _discard(self, path: Path) -> None:
        self.discarded += 1
        self.misses += 1
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def put(self, key: str | None, result: DocumentResult) -> None:
        """Store a result computed from exactly the bytes planned; a failed document (cheap to redo, and
        possibly failed for a passing reason) is not stored. Never raises."""
        if key is None or self.write_error is not None or result.document.status == "error":
            return
        if result.document.sha256 != self._planned.get(key):  # the file changed while being read
            self.not_stored += 1
            return
        temporary = None
        try:
            payload = dump_result(result)
            header = json.dumps({"format": FORMAT, "key": key, "source_sha256": self._planned[key],
                                 "content_sha256": hashlib.sha256(payload).hexdigest()}).encode("ascii")
            target = self._path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY)
            with os.fdopen(handle, "wb") as stream, gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=1,
                                                                 mtime=0) as packed:
                packed.write(header + b"\n" + payload)
            os.replace(temporary, target)
            temporary = None
        except (OSError, TypeError, ValueError) as error:  # a full disk, a read-only folder …: build on
            self.write_error = f"{type(error).__name__}: {error}"
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def _clean(self) -> None:
        """Delete temporary files no running build can own (older than an hour) and entries of older cache
        formats (pickles). Never raises."""
        cutoff = time.time() - STALE_SECONDS
        try:
            folders = [self.folder, *(entry for entry in self.folder.iterdir() if entry.is_dir())]
        except OSError:
            return
        for folder in folders:
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    stale = entry.name.endswith(".pickle") or (
                        entry.name.startswith(TEMPORARY) and entry.stat(follow_symlinks=False).st_mtime < cutoff)
                    if stale and entry.is_file(follow_symlinks=False):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def summary(self) -> str:
        parts = [f"{self.hits} documents reused, {self.misses} read"]
        if self.discarded:
            parts.append(f"{self.discarded} damaged or stale cache entries discarded (documents read again)")
        if self.not_stored:
            parts.append(f"{self.not_stored} not cached (file changed while the build read it)")
        if self.write_error:
            parts.append(f"cache not written ({self.write_error}); the build itself is complete")
        return "; ".join(parts)
