"""The row records are tied to codebook/fields.csv: same names, same order, required-ness and a compatible type;
a misspelled field fails at once (when the row is made, set or read), never as an empty column."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle
import typing

import pytest

from govstats import records
from govstats.codebook import load
from govstats.pipeline import build
from govstats.records import ROW_TYPES, DocumentResult, Observation

# rows made from the codebook itself, or from the package's own rows after the build (panel, year_checks): dicts
CODEBOOK_RESOURCES = {"indicators", "crosswalk", "panel", "year_checks"}
PYTHON_TYPES = {"string": str, "integer": int, "number": float, "date": dt.date, "boolean": bool}


def observation(**changes) -> Observation:
    values = {"doc_id": "d", "table_number": 1, "row_number": 1, "column_number": 1, "column_label": "统计数",
              "status": "blank", "source_line": 3}
    return Observation(**{**values, **changes})


def test_every_resource_of_fields_csv_has_a_record_or_comes_from_the_codebook(codebook):
    assert set(codebook.fields) == set(ROW_TYPES) | CODEBOOK_RESOURCES
    assert not set(ROW_TYPES) & CODEBOOK_RESOURCES


@pytest.mark.parametrize("resource", sorted(ROW_TYPES))
def test_a_record_has_the_fields_of_its_resource_in_order(codebook, resource):
    row_type = ROW_TYPES[resource]
    declared = codebook.fields[resource]
    fields = dataclasses.fields(row_type)
    assert [f.name for f in fields] == [f.name for f in declared] == list(row_type.names)
    hints = typing.get_type_hints(row_type)
    for field, spec in zip(fields, declared, strict=True):
        python_type = PYTHON_TYPES[spec.type]
        if spec.required:
            assert field.default is dataclasses.MISSING, f"{resource}.{field.name} is required: no default"
            assert hints[field.name] is python_type, f"{resource}.{field.name}: {hints[field.name]}"
        else:
            assert field.default is None, f"{resource}.{field.name} is optional: defaults to None"
            assert hints[field.name] == python_type | None, f"{resource}.{field.name}: {hints[field.name]}"
        assert field.kw_only and field.default_factory is dataclasses.MISSING


@pytest.mark.parametrize("row_type", list(ROW_TYPES.values()))
def test_records_are_slotted_and_not_frozen(row_type):
    params = row_type.__dataclass_params__
    assert not params.frozen and "__dict__" not in dir(row_type) and row_type.__slots__
    assert not set(row_type.names) & set(dir(records._Row)), "a field would hide a method of the mapping"


def test_a_misspelled_field_fails_at_once():
    with pytest.raises(TypeError, match="valeu"):
        observation(valeu=3.0)
    with pytest.raises(TypeError, match="column_label"):
        Observation(doc_id="d", table_number=1, row_number=1, column_number=1, status="blank", source_line=3)
    with pytest.raises(TypeError):
        Observation("d", 1, 1, 1, None, None, None, None, None, None, "统计数")  # keywords only
    row = observation()
    with pytest.raises(AttributeError):
        row.valeu = 3.0
    with pytest.raises(AttributeError):
        row.valeu  # noqa: B018
    with pytest.raises(KeyError):
        row["valeu"] = 3.0
    with pytest.raises(KeyError):
        row["valeu"]
    assert not hasattr(row, "__dict__")


def test_the_mapping_view_reads_the_declared_fields_in_order():
    row = observation(value=2.0, status="reported", raw_value="2")
    assert list(row) == list(row.keys()) == [f.name for f in dataclasses.fields(Observation)]
    assert dict(row) == row.to_dict() == dict(row.items()) == dataclasses.asdict(row)
    assert row["value"] == row.get("value") == 2.0 and row.get("valeu", "none") == "none"
    assert "value" in row and "valeu" not in row and len(row) == len(load().fields["observations"])
    row["value"], row.unit = 3.0, "件"
    assert (row.value, row["unit"]) == (3.0, "件")


def test_records_compare_by_value_and_survive_copy_and_pickle(tmp_path):
    row = observation(value=1.5)
    assert row == observation(value=1.5) != observation(value=2.5)
    assert copy.deepcopy(row) == pickle.loads(pickle.dumps(row)) == row
    (tmp_path / "a.txt").write_text("某县2019年政府信息公开工作年度报告\n统计指标 | 单位 | 统计数 |\n"
                                    "(三)接受培训人员数 | 人次 | 2 |\n(二)举办各类培训班数 | 次 | 1 | 9 |\n"
                                    "发布时间：2020-01-15\n", encoding="utf-8")
    [result] = build.run([tmp_path]).results
    assert result.observations and result.checks and result.rejections and result.document.published_date
    for copied in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result)):  # rows pickled as columns
        assert copied == result and copied.timings == result.timings
        assert len({id(o) for o in copied.observations}) == len(result.observations)
    mixed = DocumentResult(result.document, [*result.observations, row.to_dict()])  # not records: as they are
    assert pickle.loads(pickle.dumps(mixed)) == mixed


def test_a_build_passes_records_between_its_stages(tmp_path):
    (tmp_path / "a.txt").write_text("某县2019年政府信息公开工作年度报告\n统计指标 | 单位 | 统计数 |\n"
                                    "(三)接受培训人员数 | 人次 | 2 |\n(二)举办各类培训班数 | 次 | 1 | 9 |\n",
                                    encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4")
    result = build.run([tmp_path])
    for resource, row_type in ROW_TYPES.items():
        rows = result.records[resource]
        assert rows and {type(row) for row in rows} == {row_type}, resource
    for found in result.results:
        document = found.document
        assert (document.n_observations, document.n_rejections) == (len(found.observations), len(found.rejections))
    assert [(d.doc_id, d.status) for d in result.records["documents"]] == [("a", "ok"), ("b", "unsupported")]
