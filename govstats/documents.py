"""Read one input file: bytes → text (encoding detected, original kept) → document metadata.

Metadata comes from what the text states (title line, 单位名称, date line); nothing is invented:
a field the text does not state is left empty.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from govstats.readers import READERS, sniff
from govstats.tables.model import Layout, Unit
from govstats.text.encodings import decode, looks_binary
from govstats.text.keys import compact, compact_lines, split_label, to_simplified
from govstats.text.repair import broken_glosses, count_glosses


class DocumentError(Exception):
    """The file cannot be read as a document; the message says why."""


@dataclass
class Document:
    """A document as read: original text and lines, repaired lines for matching, and its metadata."""

    doc_id: str
    source_file: str
    sha256: str
    n_bytes: int
    encoding: str
    text: str
    lines: list[str]  # the source lines, as decoded
    layout: Layout
    units: list[Unit]  # text blocks and table rows in reading order, repaired for matching
    clean_lines: list[str]  # the units' text (one per unit), for the metadata scans
    n_replaced: int = 0
    title: str | None = None
    agency: str | None = None
    report_year: int | None = None
    published_date: date | None = None
    contact: str | None = None
    doc_kind: str = "other"
    notes: list[str] = field(default_factory=list)

    @functools.cached_property
    def compact_lines(self) -> list[str]:
        """``compact`` of every clean line (for the metadata scans)."""
        return compact_lines(self.clean_lines)

    @functools.cached_property
    def simplified_lines(self) -> list[str]:
        """``text_lines``: the non-empty compacted lines in simplified characters (read by ``find_agency`` and
        ``agencies.resolve``: converted once)."""
        return text_lines(self.compact_lines)


def read_document(path: Path, doc_id: str, source_file: str, limits: dict[str, int]) -> Document:
    """Read a file into its layout (metadata comes later, from ``describe``); raise DocumentError if it is not
    text. The reader is chosen by suffix and content (``readers.sniff``).

    Lines or blocks longer than the declared limit are left out of the layout (and listed in
    ``layout.overlong``) so that no later stage spends unbounded time on them.
    """
    try:
        size = path.stat().st_size
        if size > limits["max_file_bytes"]:
            raise DocumentError(f"file is {size:,} bytes, over the limit of {limits['max_file_bytes']:,} "
                                "(max_file_bytes)")
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"cannot read file: {error.strerror or error}") from error
    if looks_binary(data):
        raise DocumentError("binary file (NUL bytes), not a text document")
    decoded = decode(data)
    text = decoded.text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    layout = READERS[sniff(path.suffix, text)]("\n".join(lines), limits["max_line_chars"])
    units = layout.units()
    document = Document(doc_id=doc_id, source_file=source_file, sha256=hashlib.sha256(data).hexdigest(),
                        n_bytes=len(data), encoding=decoded.encoding, text=text, lines=lines, layout=layout,
                        units=units, clean_lines=[unit.text for unit in units], n_replaced=decoded.n_replaced)
    if decoded.n_replaced:
        document.notes.append(f"{decoded.n_replaced} undecodable byte sequences replaced (decoded as "
                              f"{decoded.encoding})")
    glosses = count_glosses(text)
    if glosses:
        document.notes.append(f"{glosses} inline pinyin glosses ignored for matching")
    broken = broken_glosses(lines)
    if broken:
        document.notes.append("text shifted by a lost byte around a pinyin gloss (mojibake) on line(s) "
                              f"{', '.join(map(str, broken[:10]))}: not repaired, the lost bytes cannot be recovered")
    return document


_TITLE_WORDS = re.compile(r"(报告|总结|方案|要点|计划|统计表)")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年(?!\d{1,2}月)")
_OPENING_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年(?:度)?(?:[,，、]|(?:以来)?)")
_TABLE_TITLE = re.compile(r"((?:19|20)\d{2})年度?.{0,20}统计表")  # in compacted text (no white space)
_DATE_LINE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_PUBLISHED = re.compile(  # in compacted text (no white space)
    r"(?:发布时间|发布日期|发文日期|成文日期)[:：]((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_AGENCY_FIELD = re.compile(r"单位名称[:：]\s*(.+?)(?=\s*(?:联系人|联系电话|填报人|填报日期|\||$))")
_CONTACT = re.compile(r"联系(?:人及电话|电话|方式)[:：]\s*([^\s|]+)")
_AGENCY_AFTER_YEAR = re.compile(
    r"^(?:19|20)\d{2}\s*年度?+\s*(\S+?(?:政府|局|委|办|厅|院|室|中心|镇|乡|街道))(?:政府)?信息公开")
# "…公布2020年开平市农业农村局政府信息公开工作年度报告" in the opening sentence: year and agency as stated.
_STATED_REPORT = re.compile(r"((?:19|20)\d{2})年度?([^，,。；;《》“”\s]{2,30}?)(?:政府信息公开|政务公开)工作年度报告")
# "统计期限自2021年1月1日起至2021年12月31日止", "统计期限为2025年1月1日至12月31日", "统计周期为…": a whole
# calendar year is the report year (the closing year may be left out; read from compacted text: no spaces).
_PERIOD = re.compile(r"统计(?:期限|周期|时限|时段|区间)[为自是从:：]*((?:19|20)\d{2})年1月1日[起]?[至到\-—~～]+"
                     r"(?:((?:19|20)\d{2})年)?12月31日")
# "本报告由平潭综合实验区管委会办公室编制", "由信访局结合有关统计数据编制": the agency that compiled it.
_COMPILED_BY = re.compile(r"报告[^。]{0,120}?由([^,，。；;：:《》“”()（）]{2,30}?)"
                          r"(?:根据[^。]{0,60}?|结合[^。]{0,30}?|汇总[^。]{0,30}?)?(?:负责)?(?:编制|编写|起草)")
# "…六、其他需要报告的事项…。平潭综合实验区管委会办公室 2025年3月10日" at the very end of a flattened page.
_INLINE_SIGNATURE = re.compile(r"[。；;！!]\s*([^\s。；;，,：:]{2,40}?)\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月"
                               r"\s*\d{1,2}\s*日\s*$")
# Read from compacted lines in simplified characters (``text_lines``):
_NAME = r"([^，,。；;:：《》“”()（）\s]{2,40}?)"
# "现将XX局2020年度政府信息公开工作年度报告公布如下": the agency first, then the report's year.
_PUBLISHES = re.compile(r"(?:现将|现公布|特向社会公布|向社会公布|现公开|公布|现发布)" + _NAME
                        + r"(?:19|20)\d{2}年度?(?:政府)?信息公开(?:工作)?(?:年度)?报告")
_FIELD = re.compile(r"(发布机构|发布单位|信息来源|来源)[:：]([^\s|:：]{2,40})")
_TABLE_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．])?([^，,。；;:：《》\s|]{2,40}?)"
                            r"(?:(?:19|20)\d{2}年度?)?政府信息公开(?:工作)?(?:情况)?统计表")
# A closing date line (compacted): 2021年3月10日, 二〇二一年三月十日.
_CLOSING_DATE = re.compile(r"^(?:(?:19|20)\d{2}|[二〇一二三四五六七八九○零]{4})年[\d一二三四五六七八九十]{1,3}月"
                           r"[\d一二三四五六七八九十]{1,3}日$")
_SPAM = re.compile(r"[A-Za-z]+\d|\d+[A-Za-z]|官网|网址|平台客户端")
_AGENCY_SUFFIX = re.compile(r"(局|委|办|厅|院|政府|室|中心|会|所|镇|乡|街道|处|委员会|办公室|党组)$")


def _first_lines(lines: list[str], limit: int) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            found.append((number, line.strip()))
            if len(found) == limit:
                break
    return found


_TITLE_FIELD = re.compile(r"^\s*(?:标题|题名|title)\s*[:：]\s*", re.IGNORECASE)


_BREADCRUMB = re.compile(r"^(?:您(?:当前)?的?(?:所在)?位置|当前位置|所在位置)[:：]|首页[>»›/]|[>»›].*[>»›]")


def _title_line(lines: list[str]) -> tuple[int, str] | None:
    """A short line near the top that names a report, summary or plan; never the first prose sentence."""
    for number, line in _first_lines(lines, 3):
        text = " ".join(_TITLE_FIELD.sub("", line).split())
        if split_label(text).prefix:  # "六、…统计表" is a section heading, not the document's title
            continue
        simplified = to_simplified(compact(text))
        if _BREADCRUMB.search(simplified):  # 您当前的位置:首页 > 云林街道 > 政府信息公开 > 年度报告
            continue
        short = len(simplified) <= 60 and "|" not in text
        if short and _TITLE_WORDS.search(simplified) and not simplified.endswith(("。", "!", "！")):
            return number, text
    return None


def find_title(lines: list[str]) -> str | None:
    found = _title_line(lines)
    return found[1] if found else None


def find_kind(title: str | None, text: str, has_table: bool = False) -> str:
    """annual_report, work_summary, work_plan or other, from the title (else the opening) wording."""
    probe = to_simplified(compact(title or text[:300]))
    if "年度报告" in probe or (has_table and "政府信息公开" in probe):
        return "annual_report"
    if "总结" in probe:
        return "work_summary"
    if any(word in probe for word in ("方案", "要点", "计划")):
        return "work_plan"
    return "other"


def find_report_year(document: Document) -> int | None:
    """The year the text says the report covers: statistics-table title, then title, then opening words."""
    candidates: list[str] = []
    match = _TABLE_TITLE.search("\n".join(document.compact_lines))  # one scan: no match spans a line
    if match:
        candidates.append(match.group(1))
    if document.title:
        match = _YEAR_IN_TITLE.search(compact(document.title))
        if match:
            candidates.append(match.group(1))
    stated = _stated_report(document.clean_lines)
    if stated:
        candidates.append(stated[0])
    period = _PERIOD.search(_opening(document.clean_lines))
    if period and period.group(2) in (None, period.group(1)):
        candidates.append(period.group(1))
    for _, line in _first_lines(document.clean_lines, 1) + _overview_opening(document.clean_lines):
        match = _OPENING_YEAR.match(compact(line))
        if match and not compact(line)[match.end(1):].startswith(("年以来", "年来")):
            candidates.append(match.group(1))
    # "现将我局2020年度政府信息公开情况报告如下", "汇报我镇2023年政府信息公开工作": only when the opening names
    # one such year (a notice cited in 《》 does not count).
    named = {match.group(1) for match in _YEAR_OF_WORK.finditer(
        _CITED.sub("", to_simplified(_opening(document.clean_lines))))}
    if len(named) == 1:
        candidates.append(named.pop())
    return int(candidates[0]) if candidates else None


_OVERVIEW = re.compile(r"^[一1][、.．]\s*(?:总体情况|概述|概况|总体工作情况)$")
_YEAR_OF_WORK = re.compile(r"((?:19|20)\d{2})年度?的?政府信息公开(?:工作|情况)")
_CITED = re.compile(r"《[^《》]{0,200}》")


def _overview_opening(lines: list[str]) -> list[tuple[int, str]]:
    """The first line under the heading 一、总体情况 (its first words are often the year: 2019年，…)."""
    found = _first_lines(lines, 6)
    for position, (_, line) in enumerate(found[:-1]):
        if _OVERVIEW.match(compact(line)):
            return [found[position + 1]]
    return []


_PLAN_YEAR = re.compile(r"((?:19|20)\d{2})年(?:政务公开|政府信息公开)工作(?:方案|要点|计划)")


def _plan_year(lines: list[str]) -> int | None:
    """A work plan's year: the first "20XX年政务公开工作方案/要点" its opening lines name."""
    for _, line in _first_lines(lines, 3):
        match = _PLAN_YEAR.search(to_simplified(compact(line)))
        if match:
            return int(match.group(1))
    return None


def find_published_date(compacted: list[str]) -> date | None:
    """The 发布时间 field, else the last stand-alone date line (the signature date); from compacted lines."""
    match = _PUBLISHED.search("\n".join(compacted))  # one scan: no match spans a line
    if match:
        return _date(*match.groups())
    for line in reversed(compacted):
        match = _DATE_LINE.match(line)
        if match:
            return _date(*match.groups())
    return None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


class StatedAgency(NamedTuple):
    """A place where the text states who wrote it (``source``) and the name printed there."""

    source: str
    text: str


def stated_agencies(clean_lines: list[str], compacted: list[str], title: str | None = None,
                    simplified: list[str] | None = None) -> Iterator[StatedAgency]:
    """Every place the text states who wrote it, most direct first (in the order below; each source at most
    once), found lazily: a caller that trusts the first one reads no further.

    - unit_field: 单位名称：… (the form's own field)
    - title: the title's words before its year or 关于, or after its year (2020年XX局政府信息公开…)
    - above_title: the short line printed above a title that starts with its year
    - report_named: the report's full name in the opening lines, year first (公布2020年XX局政府信息公开工作年度报告)
    - published_as: the sentence that publishes it, agency first (现将XX局2020年度政府信息公开工作年度报告公布如下)
    - compiled_by: 本报告由XX编制 (编写, 起草) in the opening
    - publisher_field, source_field: 发布机构 / 发布单位：XX, and 信息来源 / 来源：XX, in the first lines
    - signature: the line above the closing date, or the agency before the date that ends the last sentence
    - table_heading: XX政府信息公开情况统计表

    Names come as printed (stripped) from fields, titles and lines, and compacted in simplified characters where
    they were read from compacted text. Which to trust is the caller's choice: ``find_agency`` takes the first
    that ends like an agency name, ``agencies.resolve`` the first its name cleaning accepts. ``simplified`` is
    ``text_lines(compacted)`` where the caller has it already.
    """
    for line in clean_lines:
        match = _AGENCY_FIELD.search(line)
        if match and match.group(1).strip():
            yield StatedAgency("unit_field", match.group(1).strip())
            break
    if title:
        title = title.strip()
        cut = re.search(r"关于|(?:19|20)\d{2}\s*年", title)
        after_year = _AGENCY_AFTER_YEAR.match(title)
        if cut and cut.start() > 0:
            yield StatedAgency("title", title[: cut.start()].strip())
        elif after_year:
            yield StatedAgency("title", after_year.group(1))
        above = _line_above_title(clean_lines)
        if above:
            yield StatedAgency("above_title", above)
    stated = _stated_report(clean_lines)
    if stated:
        yield StatedAgency("report_named", stated[1])
    lines = text_lines(compacted) if simplified is None else simplified
    for line in lines[:12]:
        match = _PUBLISHES.search(line)
        if match:
            yield StatedAgency("published_as", match.group(1))
            break
    match = _COMPILED_BY.search(to_simplified(_opening(clean_lines)))
    if match:
        yield StatedAgency("compiled_by", match.group(1))
    fields: dict[str, str] = {}
    for line in lines[:40]:
        for match in _FIELD.finditer(line):
            fields.setdefault("publisher_field" if match.group(1).startswith("发布") else "source_field",
                              match.group(2))
    if "publisher_field" in fields:
        yield StatedAgency("publisher_field", fields["publisher_field"])
    signature = _signature(clean_lines)
    if signature:
        yield StatedAgency("signature", signature)
    if "source_field" in fields:
        yield StatedAgency("source_field", fields["source_field"])
    for line in lines:
        match = _TABLE_HEADING.match(line)
        if match and not re.search(r"(?:19|20)\d{2}年", match.group(1)):
            yield StatedAgency("table_heading", match.group(1))
            break


def text_lines(compacted: list[str]) -> list[str]:
    """The non-empty compacted lines in simplified characters (one conversion for the text)."""
    kept = [line for line in compacted if line]
    return to_simplified("\n".join(kept)).split("\n") if kept else []


# find_agency: the sources it trusts, with what each must show (None: nothing more than being stated)
_TRUSTED = {"unit_field": None, "title": None, "above_title": None, "report_named": _AGENCY_SUFFIX,
            "published_as": _AGENCY_SUFFIX, "compiled_by": _AGENCY_SUFFIX, "publisher_field": None,
            "signature": _AGENCY_SUFFIX}


def find_agency(document: Document) -> str | None:
    """The first agency the text states (``stated_agencies``) from a source trusted for the documents table: its
    fields, title and signature, and sentences naming the report (year or agency first) or its compiler when the
    name ends like an agency's; a signature that looks spam-injected gives none (and a note)."""
    for source, name in stated_agencies(document.clean_lines, document.compact_lines, document.title,
                                        document.simplified_lines):
        if source not in _TRUSTED or (source == "signature" and len(name) > 40):
            continue
        ending = _TRUSTED[source]
        if ending is not None and not ending.search(compact(name)):
            continue
        if source == "signature" and _SPAM.search(name):
            document.notes.append(f"signature line looks spam-injected, agency not taken from it: {name}")
            return None
        return name
    return None


def _stated_report(lines: list[str]) -> tuple[str, str] | None:
    """(year, agency) from a sentence naming "<year>年<agency>政府信息公开工作年度报告" near the top."""
    for _, line in _first_lines(lines, 5):
        match = _STATED_REPORT.search(to_simplified(compact(line)))
        if match:
            return match.group(1), match.group(2)
    return None


def _opening(lines: list[str]) -> str:
    """The opening of the text, compacted and joined (a sentence may be broken over lines; a whole report
    may sit on one line, hence the cut)."""
    return compact("".join(line for _, line in _first_lines(lines, 12)))[:4000]


def _line_above_title(lines: list[str]) -> str | None:
    """A title that starts with its year (“2020年度…报告”) is often printed under the agency name."""
    found = _title_line(lines)
    if not found:
        return None
    previous = [line.strip() for line in lines[: found[0] - 1] if line.strip()]
    if previous and len(previous[-1]) <= 30 and _AGENCY_SUFFIX.search(compact(previous[-1])):
        return previous[-1]
    return None


def _signature(lines: list[str]) -> str | None:
    """The line above the closing date line (its year in digits or in Chinese numerals), stripped; on a page
    flattened into one line, the agency just before the closing date at the end of the last sentence."""
    for index in range(len(lines) - 1, 0, -1):
        if _CLOSING_DATE.match(compact(lines[index])):
            previous = next((line.strip() for line in reversed(lines[:index]) if line.strip()), "")
            return previous if previous and len(compact(previous)) <= 60 else None
    last = next((line for line in reversed(lines) if line.strip()), "")
    match = _INLINE_SIGNATURE.search(last[-200:])
    return match.group(1) if match else None


def find_contact(lines: list[str]) -> str | None:
    for line in lines:
        match = _CONTACT.search(line)
        if match:
            return match.group(1).strip()
    return None


def describe(document: Document, has_table: bool = False) -> None:
    """Fill the metadata fields the text states (read from the repaired lines; titles and agencies are
    given in simplified characters)."""
    document.title = _simplified(find_title(document.clean_lines))
    document.agency = _simplified(find_agency(document))
    document.report_year = find_report_year(document)
    document.published_date = find_published_date(document.compact_lines)
    document.contact = find_contact(document.clean_lines)
    refine_kind(document, has_table)


def refine_kind(document: Document, has_table: bool) -> None:
    """Once tables are known: a document with a statistics table about disclosure is an annual report."""
    document.doc_kind = find_kind(document.title, "\n".join(document.clean_lines[:20]), has_table)
    if document.report_year is None and document.doc_kind == "work_plan":
        document.report_year = _plan_year(document.clean_lines)


def _simplified(text: str | None) -> str | None:
    return to_simplified(text) if text else None
