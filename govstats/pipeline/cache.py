"""Incremental builds: each document's result is cached under a key made of its bytes, its name in the build,
the codebook version and a fingerprint of the code, so a rebuild redoes only new or changed documents and
gives the same output as a clean build."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from govstats import __version__

PACKAGE_DIR = Path(__file__).parent


@cache
def code_fingerprint() -> str:
    """Version, code and codebook files: any change to them makes every cached result stale."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*PACKAGE_DIR.glob("*.py"), *PACKAGE_DIR.glob("codebook/*")]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class DocumentCache:
    """One pickle per document result in ``folder`` (a local, trusted cache: delete the folder to reset)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def key(self, path: Path, doc_id: str, source_file: str) -> str | None:
        try:
            with open(path, "rb") as handle:
                content = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None  # unreadable: processed (and reported) every time
        return hashlib.sha256(f"{content}|{doc_id}|{source_file}|{code_fingerprint()}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def has(self, key: str | None) -> bool:
        return key is not None and self._path(key).is_file()

    def get(self, key: str | None) -> Any:
        """The cached result, or None (counted as a miss) when there is none or it cannot be read."""
        if key is None:
            return None
        try:
            with open(self._path(key), "rb") as handle:
                result = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str | None, result: Any) -> None:
        if key is None:
            return
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
