"""Find the input documents: every file a build is given is read once or listed with the reason it is not.

Folders are walked without following links. A file in a format govstats cannot read (PDF, Word, Excel), a link
that dangles, loops or points outside its input folder, and a FIFO or other special file are not read: each is
listed as a document of its own with a status and a reason that says what to do. The same file named twice,
or identical bytes under two names, is one document with the other paths noted.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

INPUT_SUFFIXES = (".txt", ".md", ".text", ".html", ".htm")
# formats people keep reports in that govstats does not read: listed, with what to do, instead of ignored
UNSUPPORTED = {
    ".pdf": "convert PDF to text or HTML (for example pdftotext -layout) and build again",
    ".doc": "save the Word document as text or HTML and build again",
    ".docx": "save the Word document as text or HTML and build again",
    ".wps": "save the WPS document as text or HTML and build again",
    ".rtf": "save the document as text or HTML and build again",
    ".odt": "save the document as text or HTML and build again",
    ".xls": "save the spreadsheet as HTML or text and build again",
    ".xlsx": "save the spreadsheet as HTML or text and build again",
    ".ods": "save the spreadsheet as HTML or text and build again",
}


class InputError(Exception):
    """The inputs given to the build cannot be used (missing path, nothing to read)."""


@dataclass
class Input:
    """One input document: read (status "read"), or listed with the status, code and reason why it is not."""

    path: Path
    source_file: str  # the input folder's name and the path under it, or as given: never from the working folder
    status: str = "read"  # read | unsupported | skipped | error
    code: str | None = None  # reason_code (issue_codes.csv) when not read
    reason: str | None = None
    sha256: str | None = None  # of the file's bytes when planned (read and unsupported files)
    n_bytes: int = 0
    also: list[str] = field(default_factory=list)  # other names of the same bytes


def collect(paths: list[Path], outputs: frozenset[str] = frozenset()) -> list[Input]:
    """Every input, sorted by path (a stable order), duplicates folded into the first of their names; raises
    InputError when a named path does not exist or nothing can be read. ``outputs``: real paths of the build's
    own files, passed over in folders (an output folder inside an input folder is not input)."""
    found: dict[str, Input] = {}
    for path in paths:
        if path.is_dir():
            for item in _walk(path, outputs):
                found.setdefault(item.path.as_posix(), item)
        elif path.exists():
            found.setdefault(path.as_posix(), _named(path))
        elif os.path.islink(path):
            raise InputError(f"input not found: {path} (a link to {os.readlink(path)}, which does not exist)")
        else:
            raise InputError(f"input not found: {path}")
    items = [found[key] for key in sorted(found)]
    _fold_duplicates(items)
    if not any(item.status == "read" for item in items):
        listed = Counter(item.reason for item in items if item.reason)
        detail = "; ".join(f"{count} file(s): {reason}" for reason, count in sorted(listed.items()))
        where = ", ".join(str(path) for path in paths)
        raise InputError(f"no input documents found in {where} (looked for {', '.join(INPUT_SUFFIXES)} files)"
                         + (f"; found {detail}" if detail else ""))
    return items


def _named(path: Path) -> Input:
    """A file named on the command line: read whatever its suffix (links followed: the user chose it),
    except a format govstats cannot read or a special file, which could block the reader for ever."""
    item = _input(path, path.as_posix())
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        return _special(item, mode)
    return _regular(item, path.suffix.lower())


def _input(path: Path, name: str) -> Input:
    item = Input(path, display_name(name))
    if item.source_file != name:
        item.status, item.code = "error", "invalid_file_name"
        item.reason = ("file name is not valid UTF-8 (shown with \\x escapes): not read; rename the file to "
                       "UTF-8 and build again")
    return item


def _walk(root: Path, outputs: frozenset[str] = frozenset()) -> list[Input]:
    """Files under a folder with a suffix govstats reads or recognizes, hidden names skipped, links checked
    (never followed out of the folder)."""
    items: list[Input] = []
    inside = root.resolve()
    root_name = root.name or inside.name  # "seeds/a.txt" whether the folder was named seeds, ./seeds or /x/seeds
    for folder, folders, files in os.walk(root, followlinks=False):
        linked = [name for name in folders if os.path.islink(os.path.join(folder, name))]
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name not in linked)
        for name in sorted([*files, *linked]):
            path = Path(folder) / name
            suffix = path.suffix.lower()
            if name.startswith(".") or (name not in linked and suffix not in (*INPUT_SUFFIXES, *UNSUPPORTED)):
                continue
            if outputs and os.path.realpath(path) in outputs:
                continue
            item = _input(path, (Path(root_name) / path.relative_to(root)).as_posix())
            if os.path.islink(path):
                checked = _link(item, inside, suffix)
                if checked is not None:
                    items.append(checked)
                continue
            mode = os.lstat(path).st_mode
            items.append(_regular(item, suffix) if stat.S_ISREG(mode) else _special(item, mode))
    return items


def _link(item: Input, inside: Path, suffix: str) -> Input | None:
    """A link inside an input folder: read if it points to a file in the folder, listed if it dangles, loops
    or leaves the folder; a link to a folder inside is not followed (its files are found where they are)."""
    try:
        target = item.path.resolve(strict=True)
    except (RuntimeError, OSError) as error:
        if isinstance(error, RuntimeError) or getattr(error, "errno", None) == errno.ELOOP:
            return _skip(item, "link_loop", f"symbolic link loop ({os.readlink(item.path)}): fix or remove "
                                            "the link")
        return _skip(item, "dangling_link", f"dangling link to {os.readlink(item.path)}: fix or remove the link")
    if target != inside and inside not in target.parents:
        return _skip(item, "link_outside_input", f"link to {target}, outside the input folder: not followed; "
                                                 "copy the file into the folder or name it with --input")
    if target.is_dir():
        return None
    if suffix not in INPUT_SUFFIXES and suffix not in UNSUPPORTED:
        return None
    mode = os.stat(target).st_mode
    return _regular(item, suffix) if stat.S_ISREG(mode) else _special(item, mode)


def _regular(item: Input, suffix: str) -> Input:
    if suffix in UNSUPPORTED and item.status == "read":
        item.status, item.code = "unsupported", "unsupported_format"
        item.reason = f"{suffix[1:].upper()} files are not read: {UNSUPPORTED[suffix]}"
    item.sha256, item.n_bytes = _digest(item.path)
    return item


def _special(item: Input, mode: int) -> Input:
    kind = ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
            else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "folder" if stat.S_ISDIR(mode)
            else "special file")
    return _skip(item, "special_file", f"not a regular file ({kind}): not read; copy its content into a "
                                       "regular file to build it")


def _skip(item: Input, code: str, reason: str) -> Input:
    item.status, item.code, item.reason = "skipped", code, reason
    return item


def _digest(path: Path) -> tuple[str | None, int]:
    try:
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256")
            return digest.hexdigest(), handle.tell()
    except OSError:
        return None, 0  # unreadable: the reader reports why


def _fold_duplicates(items: list[Input]) -> None:
    """Identical bytes (the same file named twice, a link to a file inside, a copy) are one document: the
    first name reads it, the others are noted on it and dropped."""
    first: dict[tuple[str, str], Input] = {}
    for item in items:
        if item.status not in ("read", "unsupported") or item.sha256 is None:
            continue
        kept = first.setdefault((item.status, item.sha256), item)  # a.pdf never hides a.txt of its bytes
        if kept is not item:
            kept.also.append(item.source_file)
            item.status = "duplicate"
    items[:] = [item for item in items if item.status != "duplicate"]


def display_name(name: str) -> str:
    """A name as valid UTF-8 text: bytes that are not UTF-8 are shown as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        try:
            return os.fsencode(name).decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return name.encode("utf-8", "backslashreplace").decode("utf-8")


def document_ids(items: list[Input]) -> list[str]:
    """File stems (as valid UTF-8), made unique with a short hash of the path where two inputs share one."""
    stems = [display_name(item.path.stem) for item in items]
    counts = Counter(stems)
    return [stem if counts[stem] == 1 else f"{stem}-{_short_hash(display_name(item.path.as_posix()))}"
            for stem, item in zip(stems, items, strict=True)]


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
