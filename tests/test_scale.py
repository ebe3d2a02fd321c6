"""Building in several processes or incrementally gives exactly the output of a clean one-process build."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from govstats.pipeline import build
from govstats.pipeline.cache import DocumentCache
from tests.conftest import CORPUS_RAW, ROOT, SEEDS


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted([*(folder / "data").iterdir(), folder / "datapackage.json"])}


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "govstats", "build", "--quiet", *args], cwd=ROOT, check=True, timeout=300)


def test_jobs_give_the_same_records():
    one = build.run([CORPUS_RAW, SEEDS])
    two = build.run([CORPUS_RAW, SEEDS], jobs=2)
    assert one.records == two.records


def test_an_incremental_rebuild_redoes_only_new_documents_and_equals_a_clean_build(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_RAW, corpus)
    held_back = sorted(corpus.iterdir())[:3]
    for path in held_back:
        path.rename(tmp_path / path.name)
    incremental, clean = tmp_path / "incremental", tmp_path / "clean"
    _cli("--input", str(corpus), "--output", str(incremental), "--incremental")
    for path in held_back:  # "adding files to a built corpus"
        (tmp_path / path.name).rename(corpus / path.name)
    cache = DocumentCache(incremental / ".govstats-cache")
    result = build.run([corpus], cache=cache)
    assert (cache.hits, cache.misses) == (14, 3)
    assert result.records == build.run([corpus]).records
    _cli("--input", str(corpus), "--output", str(incremental), "--incremental", "--jobs", "2")
    _cli("--input", str(corpus), "--output", str(clean))
    assert _files(incremental) == _files(clean)


def test_a_changed_document_is_read_again(tmp_path):
    document = tmp_path / "a.txt"
    document.write_text("统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 2 |\n", encoding="utf-8")
    cache = DocumentCache(tmp_path / "cache")
    first = build.run([document], cache=cache)
    document.write_text("统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | 5 |\n", encoding="utf-8")
    second = build.run([document], cache=cache)
    assert (cache.hits, cache.misses) == (0, 2)
    assert [o["value"] for o in first.records["observations"]] == [2]
    assert [o["value"] for o in second.records["observations"]] == [5]
