"""The published package: Frictionless-valid, typed Parquet, faithful XLSX, deterministic and atomic."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from govstats.output import package, schemas, validate
from tests.conftest import SEEDS, build_into

OUTPUTS = [f"data/{r}.{ext}" for r in schemas.RESOURCES for ext in ("csv", "parquet")] + [
    "data/govstats.xlsx", "data/report.html", "datapackage.json"]


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in OUTPUTS}


def test_frictionless_validates_the_package(seed_build):
    valid, messages = validate.frictionless_report(seed_build[1])
    assert valid, messages


def test_parquet_reads_back_with_declared_types(seed_build, codebook):
    for resource in schemas.RESOURCES:
        frame = pd.read_parquet(seed_build[1] / "data" / f"{resource}.parquet")
        assert list(frame.columns) == [f.name for f in codebook.fields[resource]]
        for field in codebook.fields[resource]:
            dtype = frame[field.name].dtype
            if field.enum:
                assert isinstance(dtype, pd.CategoricalDtype)
                # Parquet keeps the dictionary with the data pages: an empty file cannot carry it
                assert list(dtype.categories) == (list(field.enum) if len(frame) else [])
            elif field.type == "integer":
                assert dtype == "Int64", field.name
            elif field.type == "number":
                assert dtype == "Float64", field.name
            elif field.type == "boolean":
                assert dtype == "boolean", field.name
            elif field.type == "date":
                assert dtype == "datetime64[ms]", field.name
            elif field.type == "string":
                assert pd.api.types.is_string_dtype(dtype), field.name
    observations = pd.read_parquet(seed_build[1] / "data" / "observations.parquet")
    assert observations["value"].notna().sum() == 12
    assert observations.loc[observations["source_line"] == 81, "value_base"].item() == 5000


def test_csv_has_bom_and_reads_back_equal_to_parquet(seed_build):
    data = seed_build[1] / "data"
    assert (data / "observations.csv").read_bytes().startswith(b"\xef\xbb\xbfdoc_id,")
    csv_frame = pd.read_csv(data / "observations.csv", encoding="utf-8-sig",
                            dtype={"source_line": "Int64", "row_level": "Int64"})
    parquet = pd.read_parquet(data / "observations.parquet")
    assert csv_frame["value"].tolist() == pytest.approx(parquet["value"].astype(float).tolist(), nan_ok=True)
    assert csv_frame["source_line"].tolist() == parquet["source_line"].tolist()


def test_workbook_reads_back_the_same_values(seed_build, codebook):
    from openpyxl import load_workbook

    book = load_workbook(seed_build[1] / "data" / "govstats.xlsx", read_only=True)
    assert book.sheetnames == ["README", *schemas.RESOURCES, "wide_t2014", "wide_t2019", "wide_t2021", "panel_wide",
                               "dictionary"]
    rows = list(book["observations"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header == [f.name for f in codebook.fields["observations"]]
    records = seed_build[0].records["observations"]
    assert len(rows) - 1 == len(records)
    for row, record in zip(rows[1:], records, strict=True):
        as_read = dict(zip(header, row, strict=True))
        assert as_read["value"] == record["value"]
        assert as_read["source_line"] == record["source_line"]
        assert as_read["indicator_id"] == record["indicator_id"]
    wide = list(book["wide_t2014"].iter_rows(values_only=True))
    labels, units, ids, *documents = wide
    assert ids[:4] == ("doc_id", "agency", "report_year", "t2014.active")
    assert [row[0] for row in documents] == ["001_e30e2049e38d0093"]  # only the documents of the 2014 form
    by_id = dict(zip(ids, documents[0], strict=True))
    assert by_id["t2014.active.channel.other"] == 17
    assert by_id["t2014.active.channel.weibo"] is None
    assert by_id["t2014.active"] == 42  # a heading's number, in the unit of the first row under it
    header = dict(zip(ids, zip(labels, units, strict=True), strict=True))
    assert header["t2014.org"][1] == "" and by_id["t2014.org"] == 0.5  # headings over counts and money: as printed
    assert header["t2014.active.channel.other"] == ("（二）通过不同渠道和方式公开政府信息的情况 › 5.其他方式公开政府信息数｜统计数",
                                                    "条")  # the column named: 历年累计 is a column of the form too
    assert all(unit == "" or codebook.unit_by_zh(unit) for unit in units)
    for template in ("t2019", "t2021"):
        labels, units, ids, *documents = book[f"wide_{template}"].iter_rows(values_only=True)
        assert documents == [] and all(i.startswith(template) for i in ids[3:])
    labels, units, ids = list(book["wide_t2021"].iter_rows(values_only=True))
    other = labels.index("（六）其他处理 › 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请｜自然人")
    assert (units[other], ids[other]) == ("件", "t2021.t3.result.other.no_correction.np")  # section, unit and id


def test_the_checks_sheet_lists_failing_checks_first(seed_build):
    from openpyxl import load_workbook

    book = load_workbook(seed_build[1] / "data" / "govstats.xlsx", read_only=True)
    header, *rows = book["checks"].iter_rows(values_only=True)
    status = [dict(zip(header, row, strict=True))["status"] for row in rows]
    rank = {"fail": 0, "not_assessable": 1, "pass": 2}
    assert status[0] == "fail" and [rank[s] for s in status] == sorted(rank[s] for s in status)
    assert len(rows) == len(seed_build[0].records["checks"])


def test_workbook_sheets_are_usable(seed_build):
    with zipfile.ZipFile(seed_build[1] / "data" / "govstats.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet4.xml").decode()
    assert "<pane" in sheet and 'state="frozen"' in sheet
    assert "<autoFilter" in sheet.replace("autoFilter", "<autoFilter", 1) or "autoFilter" in sheet


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    build_into([SEEDS], first)
    build_into([SEEDS], second)
    assert _digests(first) == _digests(second)


def test_formula_like_text_stays_text(tmp_path):
    document = tmp_path / "hostile.txt"
    document.write_text("统计指标 | 单位 | 统计数 |\n=1+2 | 条 | 3 |\n+1+1 | 件 | @SUM(A1) |\n",
                        encoding="utf-8")
    build_into([document], tmp_path / "out")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "out" / "data" / "govstats.xlsx")
    cells = [c for row in book["observations"].iter_rows() for c in row]
    texts = {c.value: c.data_type for c in cells if isinstance(c.value, str)}
    assert texts["=1+2"] == "s"
    assert texts["@SUM(A1)"] == "s"
    assert all(c.data_type != "f" for c in cells)


def test_a_failed_write_leaves_the_previous_package(tmp_path, monkeypatch):
    output = tmp_path / "out"
    build_into([SEEDS], output)
    before = _digests(output)

    def explode(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr("govstats.output.workbook.write_workbook", explode)
    with pytest.raises(OSError, match="simulated"):
        build_into([SEEDS], output)
    assert _digests(output) == before
    assert not list(output.glob(".govstats-*"))


def test_descriptor_declares_keys_and_missing_values(seed_build):
    descriptor = package.descriptor(__import__("govstats.codebook", fromlist=["load"]).load())
    observations = next(r for r in descriptor["resources"] if r["name"] == "observations")
    assert observations["schema"]["primaryKey"] == ["doc_id", "table_number", "row_number", "column_number"]
    assert {fk["reference"]["resource"] for fk in observations["schema"]["foreignKeys"]} == {"documents",
                                                                                              "indicators"}
    assert observations["schema"]["missingValues"] == [""]
    assert descriptor["licenses"] and descriptor["version"] and descriptor["sources"]
    assert io.StringIO((seed_build[1] / "datapackage.json").read_text(encoding="utf-8")).read().startswith("{")


def test_text_longer_than_an_excel_cell_is_cut_visibly_and_flagged_in_the_workbook_only(tmp_path):
    from openpyxl import load_workbook

    label = "行政许可" + "很长的说明文字" * 6000  # 42,004 characters, no parentheses
    document = tmp_path / "long_label.txt"
    document.write_text(f"统计指标 | 单位 | 统计数 |\n{label} | 件 | 2 |\n", encoding="utf-8")
    build_into([document], tmp_path / "out")
    data = tmp_path / "out" / "data"
    frame = pd.read_csv(data / "observations.csv", encoding="utf-8-sig")
    assert frame["row_label"].tolist() == [label]  # whole in CSV and Parquet, not flagged there
    assert pd.read_parquet(data / "observations.parquet")["row_label"].tolist() == [label]
    assert "cut_in_workbook" not in str(frame["flag_codes"].tolist())
    book = load_workbook(data / "govstats.xlsx", read_only=True)
    rows = list(book["observations"].iter_rows(values_only=True))
    header, [row] = rows[0], rows[1:]
    cell = row[header.index("row_label")]
    assert len(cell) <= 32_767 and label.startswith(cell.split(" …[cut:")[0])
    assert cell.endswith("[cut: 42,004 characters, an Excel cell holds 32,767; the whole text is in "
                         "data/observations.csv and .parquet]")
    assert "cut_in_workbook" in row[header.index("flag_codes")].split(";")
    assert "cut_in_workbook" in row[header.index("warning_codes")].split(";")
    readme = [r[0] for r in book["README"].iter_rows(values_only=True) if r[0]]
    assert any(line.startswith("observations!") and "42,004 characters" in line for line in readme)


FULL_DISK_AT_CLOSE = r"""
import errno, sys
import pyarrow.parquet as pq
real = pq.ParquetWriter.close
def full(self):
    if str(self.where).endswith("observations.parquet"):
        raise OSError(errno.ENOSPC, "No space left on device")
    return real(self)
pq.ParquetWriter.close = full
from govstats import cli
sys.exit(cli.main(["build", "--no-xlsx", "--output", sys.argv[1]]))
"""


def test_a_write_error_gives_one_clean_message_and_no_stray_traceback(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    completed = subprocess.run([sys.executable, "-c", FULL_DISK_AT_CLOSE, str(tmp_path / "out")], cwd=root,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 4
    assert completed.stderr.strip().splitlines() == [
        f"govstats: error: cannot write outputs to {tmp_path / 'out'}: [Errno 28] No space left on device"]
    assert not (tmp_path / "out" / "data").exists() and list((tmp_path / "out").iterdir()) == []
