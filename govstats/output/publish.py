"""Publish a staged package into the output folder atomically: a reader sees the old package or the new one,
and a build killed at any moment (SIGKILL included) leaves a valid package that the next build completes.

The build owns only what it writes: the files listed in ``data/.govstats-manifest.json`` (written with every
package) and ``datapackage.json``. Everything else in the output folder and in ``data/`` (a user's own files,
input documents kept in ``data/raw/``) is left as it is."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

DATA_DIR = "data"
DESCRIPTOR = "datapackage.json"
# leftovers of a publication inside the output folder (see publish)
STAGING, COMMIT, TRASH, LEGACY_OLD = ".govstats-staging-", ".govstats-commit-", ".govstats-trash-", ".govstats-old-"
ASIDE = "old-data"  # in a commit folder: the old data/, moved aside by the two-rename fallback
MANIFEST = ".govstats-manifest.json"  # in data/: the files the build wrote there (all others are the user's)
CLAIMS = "claims.json"  # in a commit folder: names in data/ the build owns even where no manifest lists them
KEPT = ".govstats-kept-"  # suffix of a user's entry put back beside a same-named one (never overwritten)


class TargetError(Exception):
    """The output folder cannot take a package without harming what is in it; the message says why."""


def publish(output_dir: Path, write_into: Callable[[Path], None], claims: Iterable[str] = ()) -> None:
    """Stage every file with ``write_into(staging_dir)``, then swap the data folder and descriptor in.

    Only the build's own entries of ``data/`` are replaced: those the new package writes, those the previous
    package's manifest lists, and ``claims`` (names the build writes, owned even in a folder whose package
    predates manifests). Every other entry of the old ``data/`` is moved (renamed, never copied) into the new
    one right after the swap (step 6 below), so it stays where it was. Raises ``TargetError`` (nothing
    changed) when ``data/`` is not a folder, or holds a mount point that cannot be moved.

    A reader of ``output_dir`` sees the previous package or the new one, never a half-written one, and a
    build killed at any moment (even by SIGKILL) leaves a valid package; the next build finishes or discards
    what it left (``_recover``). The steps, inside an exclusive lock on ``output_dir`` (concurrent builds
    into one folder take turns; the kernel drops the lock of a killed process):

    1. ``_recover``: finish a publication a killed build had committed, delete its other leftovers.
    2. Stage ``data/`` and ``datapackage.json`` in ``.govstats-staging-XXXX/``, flush them to disk and record
       the identity (device, inode) of the staged ``data/`` folder. Killed here: nothing visible changed.
    3. Commit: rename the staging folder to ``.govstats-commit-XXXX/`` (one atomic rename). From here on
       the publication is decided and ``_recover`` rolls it forward.
    4. Swap the data folders in one atomic step, ``renameat2(RENAME_EXCHANGE)``: ``data/`` is at every
       instant either the complete old or the complete new folder, never missing or mixed.
    5. Replace ``datapackage.json`` (``os.replace``, atomic) only if its bytes change. The descriptor is
       derived from the codebook and version alone, so a rebuild with new documents leaves it untouched.
    6. Move the entries of the old data folder the build does not own back into ``data/``, then rename the
       commit folder (holding the old data) to ``.govstats-trash-XXXX/`` and delete it. A user's entry is
       missing from ``data/`` only between the swap and its move back (microseconds); a build killed there
       leaves it in the commit folder, and the next build puts it back before anything is deleted.

    Remaining windows, all between two consecutive system calls (microseconds): (a) when the descriptor
    itself changes (a new govstats version or codebook), between steps 4 and 5 the new ``data/`` sits next
    to the old ``datapackage.json``; no ordering of two directory entries can avoid that without an
    indirection the package layout does not allow. (b) Where ``renameat2`` is unavailable (not Linux, glibc
    older than 2.28, a file system without RENAME_EXCHANGE), step 4 falls back to two renames (old
    ``data/`` aside, new one in) and ``data/`` is missing between them. A build killed inside a window leaves
    that state until the next build into the folder repairs it first thing. A reader that opens
    ``datapackage.json`` before a publication and the data files after it also pairs old with new; files
    already open keep their old contents.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(output_dir):
        _recover(output_dir)
        check_target(output_dir)
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=output_dir))
        try:
            (staging / DATA_DIR).mkdir()
            write_into(staging)
            _write_manifest(staging / DATA_DIR)
            (staging / CLAIMS).write_text(json.dumps(sorted(set(claims))), encoding="utf-8")
            check_target(output_dir)  # data/ may have changed while the documents were read
            _flush_tree(staging)
            _identity_file(staging).write_text(json.dumps(_identity(staging / DATA_DIR)), encoding="utf-8")
            commit = output_dir / (COMMIT + staging.name.removeprefix(STAGING))
            os.rename(staging, commit)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # gone already once committed
        _flush_dir(output_dir)
        _finish(output_dir, commit)


def check_target(output_dir: Path) -> None:
    """Raise TargetError when ``data/`` exists but is not a plain folder whose entries can be moved back."""
    target = output_dir / DATA_DIR
    if not os.path.lexists(target):
        return
    if os.path.islink(target):
        raise TargetError(f"{target} is a symbolic link: govstats replaces data/ by a folder of its own; "
                          "make it a folder or choose another --output")
    if not target.is_dir():
        raise TargetError(f"{target} exists and is not a folder: move it away or choose another --output")
    device = os.lstat(target).st_dev
    for entry in os.scandir(target):
        if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_dev != device:
            raise TargetError(f"{entry.path} is a mount point: govstats cannot keep it in data/ while replacing "
                              "its own files; choose another --output")


def owned_names(output_dir: Path, claims: Iterable[str] = ()) -> set[str]:
    """Entries of ``data/`` the build may replace or delete: the current manifest's and ``claims``."""
    return _listed(output_dir / DATA_DIR) | set(claims) | {MANIFEST}


def _write_manifest(data: Path) -> None:
    """List every file the build wrote into ``data/`` (POSIX paths relative to it, sorted: deterministic)."""
    files = sorted(path.relative_to(data).as_posix() for path in data.rglob("*")
                   if path.is_file() and path.name != MANIFEST)
    manifest = {"generator": "govstats", "files": files}
    (data / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def _listed(data: Path) -> set[str]:
    """Top-level names the manifest of a data folder lists (none when it has no readable manifest)."""
    try:
        files = json.loads((data / MANIFEST).read_text(encoding="utf-8"))["files"]
        return {str(name).split("/", 1)[0] for name in files}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _keep_user_entries(old: Path, target: Path, owned: set[str]) -> None:
    """Move every entry of the old data folder that the build does not own into the new one. A name taken
    meanwhile gets a ``.govstats-kept-N`` suffix: nothing of the user's is ever overwritten or deleted."""
    for name in sorted(os.listdir(old)):
        if name in owned:
            continue
        destination, number = target / name, 0
        while os.path.lexists(destination):
            number += 1
            destination = target / f"{name}{KEPT}{number}"
        os.rename(old / name, destination)


def _recover(output_dir: Path) -> None:
    """Roll forward a publication a killed build had committed; delete every other leftover.

    Also puts back a ``data/`` folder left aside by a build of govstats ≤ 0.1.0 killed mid-swap.
    """
    for commit in sorted(output_dir.glob(COMMIT + "*")):
        _finish(output_dir, commit)
    legacy = sorted(output_dir.glob(LEGACY_OLD + "*"))
    if legacy and not os.path.lexists(output_dir / DATA_DIR):
        os.rename(legacy[-1], output_dir / DATA_DIR)
    for prefix in (STAGING, TRASH, LEGACY_OLD):
        for leftover in output_dir.glob(prefix + "*"):
            shutil.rmtree(leftover, ignore_errors=True)
    _flush_dir(output_dir)


def _finish(output_dir: Path, commit: Path) -> None:
    """Steps 4 to 6 of ``publish`` for a commit folder; safe to repeat after a kill at any point."""
    target = output_dir / DATA_DIR
    try:
        new = tuple(json.loads(_identity_file(commit).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        new = None
    if _identity(target) != new and new is not None and _identity(commit / DATA_DIR) == new:
        _swap_in(commit / DATA_DIR, target, commit / ASIDE)
    elif not os.path.lexists(target):  # cannot tell which folder is new (the output was copied?): keep one
        for candidate in (commit / ASIDE, commit / DATA_DIR):
            if candidate.is_dir():
                os.rename(candidate, target)
                break
    if os.path.isdir(target) and not os.path.islink(target):
        # the old data folder (or one that cannot be told apart from it) gives back what the build does not
        # own before the commit folder is deleted; a staged folder holds only owned entries and gives nothing
        for old in (commit / ASIDE, commit / DATA_DIR):
            if os.path.isdir(old) and not os.path.islink(old) and _identity(old) != _identity(target):
                _keep_user_entries(old, target, _listed(old) | _listed(target) | _claims(commit) | {MANIFEST})
        _flush_dir(target)
    if new is not None and _identity(target) == new and (commit / DESCRIPTOR).is_file():
        _replace_if_changed(commit / DESCRIPTOR, output_dir / DESCRIPTOR)
    _flush_dir(output_dir)
    trash = output_dir / (TRASH + commit.name.removeprefix(COMMIT))
    os.rename(commit, trash)
    shutil.rmtree(trash, ignore_errors=True)


def _claims(commit: Path) -> set[str]:
    try:
        return {str(name) for name in json.loads((commit / CLAIMS).read_text(encoding="utf-8"))}
    except (OSError, ValueError, TypeError):
        return set()


def _swap_in(new: Path, target: Path, aside: Path) -> None:
    """Put the folder ``new`` at ``target``; the old ``target`` ends at ``new`` (exchange) or ``aside``."""
    if not os.path.lexists(target):
        os.rename(new, target)
    elif not _exchange(new, target):
        os.rename(target, aside)
        try:
            os.rename(new, target)
        except OSError:
            os.rename(aside, target)
            raise


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux ``renameat2(RENAME_EXCHANGE)``; False where unsupported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    # an old kernel or a syscall filter (ENOSYS, EPERM), a file system without the flag: two renames instead
    if error in (errno.ENOSYS, errno.EPERM, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(first), None, str(second))


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc < 2.28 or a libc without it
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _identity_file(folder: Path) -> Path:
    return folder / "data.identity"


def _replace_if_changed(source: Path, destination: Path) -> None:
    if destination.is_file() and destination.read_bytes() == source.read_bytes():
        return
    os.replace(source, destination)


def _flush_tree(folder: Path) -> None:
    """fsync every staged file and folder, so that a power cut after a rename cannot expose empty files."""
    for path in [*sorted(folder.rglob("*")), folder]:
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        else:
            _flush_dir(path)


def _flush_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the folder itself (no lock file); none where flock is unavailable."""
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        handle = None
    try:
        if fcntl is not None and handle is not None:
            with contextlib.suppress(OSError):  # e.g. a network file system without flock
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        if handle is not None:
            os.close(handle)  # releases the lock
