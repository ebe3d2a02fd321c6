"""A cache that cannot lie: damaged, stale or foreign entries are discarded and the document read again; a file
edited during a build never reaches a later build; a full cache never stops a build; loading runs no code."""

from __future__ import annotations

import datetime as dt
import errno
import gzip
import json
import os
import pickle
import random
import shutil
import time
from pathlib import Path

import pytest

from govstats import cli
from govstats.codebook import load
from govstats.output.tally import Tally
from govstats.pipeline import build
from govstats.pipeline import cache as cache_module
from govstats.pipeline.cache import DocumentCache
from govstats.records import DocumentResult
from tests.conftest import SEEDS

TABLE = "某县人民政府办公室2019年政府信息公开工作年度报告\n统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | {} |\n"
RESOURCES = ("documents", "observations", "checks", "rejections")


def _records(result: build.BuildResult) -> dict:
    return {name: result.records[name] for name in RESOURCES}


def _values(result: build.BuildResult) -> list:
    return [o["value"] for o in result.records["observations"]]


def _payload(entry: Path) -> DocumentResult:
    return cache_module.load_result(gzip.decompress(entry.read_bytes()).split(b"\n", 1)[1])


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*" + cache_module.SUFFIX))


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The seeds and their cache after one incremental build, with the clean build's records."""
    base = tmp_path_factory.mktemp("cache")
    inputs = base / "inputs"
    shutil.copytree(SEEDS, inputs)
    folder = base / "pristine"
    clean = build.run([inputs], cache=DocumentCache(folder))
    assert len(_entries(folder)) == len(list(inputs.iterdir()))
    return inputs, folder, _records(clean)


def test_entries_are_gzipped_json_not_pickle(filled):
    _, folder, _ = filled
    for entry in _entries(folder):
        data = gzip.decompress(entry.read_bytes())
        header, payload = data.split(b"\n", 1)
        assert b'"format": "govstats-cache/3"' in header and payload.startswith(b'{"checks":')


def test_random_byte_flips_never_change_a_value_and_never_crash(filled, tmp_path):
    inputs, pristine, expected = filled
    chooser = random.Random(20261201)
    discarded = 0
    for trial in range(40):
        folder = tmp_path / f"trial{trial}"
        shutil.copytree(pristine, folder)
        entry = chooser.choice(_entries(folder))
        data = bytearray(entry.read_bytes())
        position = chooser.randrange(len(data))
        data[position] ^= chooser.randrange(1, 256)
        entry.write_bytes(bytes(data))
        cache = DocumentCache(folder)
        result = build.run([inputs], cache=cache)
        assert _records(result) == expected, f"trial {trial}: byte {position} of {entry.name}"
        assert cache.hits + cache.misses == len(list(inputs.iterdir()))
        discarded += cache.discarded
        shutil.rmtree(folder)
    assert discarded >= 30  # gzip's mtime and OS bytes carry no content: a flip there changes nothing


def _forged(payload: bytes) -> bytes:
    """The entry's content, well formed, with every reported value doubled."""
    content = json.loads(payload)
    value = content["fields"]["observations"].index("value")
    for row in content["observations"]:
        if row[value] is not None:
            row[value] *= 2
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def test_a_forged_entry_with_a_good_gzip_but_other_numbers_is_discarded(filled, tmp_path):
    inputs, pristine, expected = filled
    folder = tmp_path / "forged"
    shutil.copytree(pristine, folder)
    for entry in _entries(folder):
        header, payload = gzip.decompress(entry.read_bytes()).split(b"\n", 1)
        assert cache_module.load_result(_forged(payload)) != cache_module.load_result(payload) or \
            b'"observations":[]' in payload
        entry.write_bytes(gzip.compress(header + b"\n" + _forged(payload)))
    cache = DocumentCache(folder)
    assert _records(build.run([inputs], cache=cache)) == expected
    assert cache.hits < len(_entries(pristine)) and cache.discarded == len(_entries(pristine)) - cache.hits


def test_a_pickle_in_the_cache_is_never_loaded(filled, tmp_path):
    inputs, pristine, expected = filled
    folder = tmp_path / "crafted"
    shutil.copytree(pristine, folder)
    marker = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for entry in _entries(folder):  # a crafted entry in the place of each real one, and an old-style pickle
        entry.write_bytes(pickle.dumps(Payload()))
        entry.with_name(entry.name.replace(cache_module.SUFFIX, ".pickle")).write_bytes(pickle.dumps(Payload()))
    cache = DocumentCache(folder)
    assert _records(build.run([inputs], cache=cache)) == expected
    assert not marker.exists()
    assert list(folder.rglob("*.pickle")) == []


def test_a_file_edited_during_a_build_never_reaches_a_later_build(tmp_path):
    folder, document = tmp_path / "cache", tmp_path / "a.txt"
    document.write_text(TABLE.format(42), encoding="utf-8")
    cache = DocumentCache(folder)
    planned = build.plan([document], cache)  # the key is made from the bytes of 42
    document.write_text(TABLE.format(4200), encoding="utf-8")  # edited before the reader reads it
    during = list(build.stream(planned, Tally(load()), cache=cache))
    assert [o["value"] for o in during[0].observations] == [4200]  # what was read, with the sha256 of it
    assert cache.not_stored == 1 and _entries(folder) == []

    document.write_text(TABLE.format(42), encoding="utf-8")
    later = DocumentCache(folder)
    assert _values(build.run([document], cache=later)) == [42]
    assert _values(build.run([document], cache=DocumentCache(folder))) == [42]  # now from the cache
    document.write_text(TABLE.format(4200), encoding="utf-8")
    assert _values(build.run([document], cache=DocumentCache(folder))) == [4200]


def test_an_entry_for_other_bytes_is_discarded(tmp_path):
    """An entry copied over another one carries another key and the hash of other bytes: never used."""
    folder, first, second = tmp_path / "cache", tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(TABLE.format(1), encoding="utf-8")
    second.write_text(TABLE.format(2), encoding="utf-8")
    build.run([first, second], cache=DocumentCache(folder))
    entries = {_payload(path).document.doc_id == "a": path for path in _entries(folder)}
    entries[True].write_bytes(entries[False].read_bytes())  # a's entry replaced by b's
    cache = DocumentCache(folder)
    assert _values(build.run([first, second], cache=cache)) == [1, 2]
    assert (cache.hits, cache.discarded) == (1, 1)


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_cache_never_stops_the_build(tmp_path, monkeypatch, capsys, failure):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for number in range(3):
        (inputs / f"r{number}.txt").write_text(TABLE.format(number + 1), encoding="utf-8")
    real_write = gzip.GzipFile.write

    def full(self, data):
        real_write(self, data[: len(data) // 2])  # part of the entry reaches the disk, then it is full
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(gzip.GzipFile, "write", full)
    out = tmp_path / "out"
    assert cli.main(["build", "--incremental", "--no-xlsx", "--input", str(inputs), "--output", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "cache not written" in summary and os.strerror(failure) in summary
    assert _entries(out / ".govstats-cache") == []
    assert [p for p in (out / ".govstats-cache").rglob("*") if p.is_file()] == []  # no temporary file left
    monkeypatch.undo()
    assert cli.main(["build", "-q", "--incremental", "--input", str(inputs), "--output", str(out)]) == 0
    assert len(_entries(out / ".govstats-cache")) == 3


def test_a_cache_folder_that_is_a_file_never_stops_the_build(tmp_path, capsys):
    document, out = tmp_path / "a.txt", tmp_path / "out"
    document.write_text(TABLE.format(3), encoding="utf-8")
    out.mkdir()
    (out / ".govstats-cache").write_text("not a folder", encoding="utf-8")
    assert cli.main(["build", "--incremental", "--no-xlsx", "--input", str(document), "--output", str(out)]) == 0
    assert "cache not written" in capsys.readouterr().out


def test_stale_temporary_files_are_cleaned(tmp_path):
    folder = tmp_path / "cache"
    (folder / "ab").mkdir(parents=True)
    old, fresh = folder / "ab" / ".tmp-old", folder / "ab" / ".tmp-fresh"
    old.write_bytes(b"half an entry")
    fresh.write_bytes(b"another build is writing this")
    long_ago = time.time() - 2 * cache_module.STALE_SECONDS
    os.utime(old, (long_ago, long_ago))
    DocumentCache(folder)
    assert not old.exists() and fresh.exists()


def test_an_entry_round_trips_to_equal_records(filled):
    _, _, expected = filled
    loaded = [_payload(entry) for entry in _entries(filled[1])]
    by_id = {result.document.doc_id: result for result in loaded}
    for document in expected["documents"]:
        result = by_id[document.doc_id]
        assert result.document == document and cache_module.load_result(cache_module.dump_result(result)) == result
    dated = [result for result in loaded if result.document.published_date is not None]
    assert dated and all(type(r.document.published_date) is dt.date for r in dated)


@pytest.mark.parametrize("change", ["renamed field", "extra value", "row as object"])
def test_an_entry_whose_rows_do_not_fit_the_records_is_refused(filled, change):
    entry = next(e for e in _entries(filled[1]) if _payload(e).observations)
    content = json.loads(gzip.decompress(entry.read_bytes()).split(b"\n", 1)[1])
    if change == "renamed field":
        content["fields"]["observations"][12] = "valeu"
    elif change == "extra value":
        content["observations"][0].append(1)
    else:
        content["observations"][0] = dict(zip(content["fields"]["observations"], content["observations"][0], strict=True))
    with pytest.raises((TypeError, ValueError)):
        cache_module.load_result(json.dumps(content).encode("utf-8"))
