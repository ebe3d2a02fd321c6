"""Property tests: cell reading, label splitting and whole-document invariants (hypothesis).

The document invariants are checked against an independent model of the table layout rules
(pipe lines, blank lines inside a run, prose ends a run, a header opens a table): every pipe line that is
not a header ends as observations or rejections, never silently dropped.
"""

from __future__ import annotations

import os
import random
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govstats import codebook as codebook_module
from govstats.observations.matching import LabelMatcher
from govstats.pipeline.build import process_document
from govstats.readers.text import split_cells
from govstats.tables.t2014 import read_header
from govstats.text.keys import compact, compact_lines, label_key, nfkc, replace_chars, split_label
from govstats.text.values import ABSURD_MAGNITUDE, chinese_numeral, read_cell

CODEBOOK = codebook_module.load()
MATCHER = LabelMatcher(CODEBOOK)
SEED = Path(__file__).resolve().parent.parent / "seeds" / "001_e30e2049e38d0093.txt"

# The suite runs a quick pass; benchmarks/property_soak.py runs the same properties with SCALE times more examples.
SCALE = int(os.environ.get("GOVSTATS_PROPERTY_SCALE", "1"))
FAST = settings(max_examples=200 * SCALE, deadline=None)
DOCS = settings(max_examples=150 * SCALE, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

UNITS = sorted(CODEBOOK.units_by_zh)
MISSING = sorted(CODEBOOK.missing_tokens)
FLAG_CODES = {code for code, (kind, _) in CODEBOOK.issue_codes.items() if kind == "flag"}
REJECTION_CODES = {code for code, (kind, _) in CODEBOOK.issue_codes.items() if kind == "rejection"}
WHOLE_ROW_REJECTIONS = {"empty_row", "page_metadata"}
T2014_LABELS = sorted({i.row_label_zh for i in CODEBOOK.indicators.values() if i.template == "t2014"})
ALIAS_LABELS = sorted({a.alias for a in CODEBOOK.aliases if a.kind == "row"})
IGNORED_LABELS = sorted(CODEBOOK.ignored_labels)
HEADER = "统 计 指 标 | 单位 | 统计数 |"

FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))

# Characters a cell or a label extracted from a PDF/HTML report realistically contains: ASCII and full-width
# digits, separators, Chinese text, numbering punctuation, odd whitespace and compatibility forms.
CELL_ALPHABET = (
    "0123456789" "０１２３４５６７８９" ",. -+" "约余多左右" "条件次篇个人项元千万亿"
    "主动公开政府信息数其中一二三十" "、．，:：()（）" "\u3000\u00a0\u200b\ufeff\t"
    "²³¹①②⑴⒈㈠〇" "—－/／N/A无空暂"
)
# Text that looks like a number: digit-like characters (some are not decimal digits), separators, a unit.
numberish_text = st.builds(
    lambda approx, body, unit: approx + body + unit,
    st.sampled_from(["", "", "约", "近"]),
    st.text(alphabet="0123456789０１２３４５６７８９²³¹①②⑴⒈〇٣,. -", min_size=1, max_size=8),
    st.sampled_from(["", "", "余", "多"]) | st.sampled_from(UNITS),
)
cellish_text = st.one_of(
    st.text(alphabet=CELL_ALPHABET, max_size=12),
    st.text(max_size=12),
    numberish_text,
)
# Text that can stand inside a cell or on a prose line of a document: no line breaks, no pipes, no NUL.
NO_LINE_BREAK = st.characters(exclude_characters="\n\r|\x00", exclude_categories=("Cs",))
inline_text = st.one_of(
    st.text(alphabet=NO_LINE_BREAK, max_size=15),
    st.text(alphabet=CELL_ALPHABET.replace("|", ""), max_size=15),
)


def decimal_digits(text: str) -> str:
    """The decimal digits written in the text (any script), in order, as ASCII."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if unicodedata.decimal(ch, None) is not None)


# ---------------------------------------------------------------------------------------------------------------
# 1. values.read_cell
# ---------------------------------------------------------------------------------------------------------------

def _number_texts(number: Decimal | int) -> list[str]:
    plain = f"{number:f}" if isinstance(number, Decimal) else str(number)
    grouped = f"{number:,f}" if isinstance(number, Decimal) else f"{number:,}"
    return [plain, grouped, plain.translate(FULL_WIDTH), grouped.translate(FULL_WIDTH)]


@FAST
@given(number=st.one_of(st.integers(), st.decimals(places=4, allow_nan=False, allow_infinity=False)),
       unit=st.none() | st.sampled_from(UNITS), space=st.sampled_from(["", " "]))
def test_read_cell_reads_formatted_numbers_back(number, unit, space):
    expected = Decimal(number)
    for text in _number_texts(number):
        written = text if unit is None else f"{text}{space}{unit}"
        cell = read_cell(written, CODEBOOK)
        multiplier = CODEBOOK.unit_by_zh(unit).multiplier if unit else 1
        if abs(expected) * multiplier >= ABSURD_MAGNITUDE:  # declared limit: kept as text, flagged
            assert cell.status == "unparsable" and cell.value is None, written
            assert cell.flags == ("absurd_magnitude",)
            continue
        assert cell.status == "reported", written
        assert cell.value == expected, written
        assert isinstance(cell.value, Decimal)
        if unit is None:
            assert cell.unit_text is None
            assert "unit_in_value_cell" not in cell.flags
        else:
            assert cell.unit_text == unit
            assert "unit_in_value_cell" in cell.flags
        assert ("negative_value" in cell.flags) == (expected < 0)
        assert "approximate" not in cell.flags


@FAST
@given(token=st.sampled_from(MISSING), left=st.sampled_from(["", " ", "\u3000", "\t"]),
       right=st.sampled_from(["", " ", "\u3000", "\t"]))
def test_read_cell_missing_tokens_read_as_declared(token, left, right):
    cell = read_cell(left + token + right, CODEBOOK)
    assert cell.status == CODEBOOK.missing_tokens[token]
    assert cell.value is None
    assert cell.unit_text is None


@FAST
@given(text=st.one_of(cellish_text, st.text()))
def test_read_cell_never_invents_a_number(text):
    cell = read_cell(text, CODEBOOK)
    assert cell.status in ("reported", "blank", "placeholder", "unparsable")
    assert set(cell.flags) <= FLAG_CODES
    if cell.status != "reported":
        assert cell.value is None
        return
    assert isinstance(cell.value, Decimal)
    assert cell.value.is_finite()
    if "chinese_numeral" in cell.flags:  # declared: a numeral written in Chinese characters
        assert cell.value == chinese_numeral(text.strip())
        return
    # Every digit of the value is a decimal digit written in the input, in the same order: a number is only
    # ever read from digits that are there (superscripts, circled numbers … are not digits of the cell).
    digits = "".join(str(d) for d in cell.value.as_tuple().digits)
    assert decimal_digits(text).lstrip("0") == digits.lstrip("0"), (text, cell)


@FAST
@given(text=st.lists(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                               st.sampled_from(UNITS + MISSING + ["约", "余", "多", " ", "\u3000"])),
                     max_size=10).map("".join))
def test_read_cell_cjk_letters_are_never_a_number(text):
    """Chinese text is a number only when it is a well-formed Chinese numeral, and then it says so."""
    cell = read_cell(text, CODEBOOK)
    if cell.status == "reported":
        assert cell.flags == ("chinese_numeral",), (text, cell)
        assert cell.value == chinese_numeral(text.strip())
    else:
        assert cell.value is None


def to_chinese(number: int) -> str:
    """Reference writer of Chinese numerals (independent of the reader under test)."""
    digits = "零一二三四五六七八九"

    def below_10k(n: int) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = n // unit % 10
            if d:
                out += ("零" if zero and out else "") + digits[d] + name
                zero = False
            else:
                zero = True
        return out

    if number == 0:
        return "零"
    high, low = divmod(number, 10_000)
    text = (below_10k(high) + "万" if high else "") + (("零" if high and low < 1000 and low else "") + below_10k(low))
    return text


@FAST
@given(number=st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numerals_read_back(number):
    written = to_chinese(number)
    cell = read_cell(written, CODEBOOK)
    assert cell.status == "reported" and cell.value == number, written
    assert cell.flags == ("chinese_numeral",)


# ---------------------------------------------------------------------------------------------------------------
# 2. text.split_label / label_key
# ---------------------------------------------------------------------------------------------------------------

label_text = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=CELL_ALPHABET, max_size=20),
    st.builds(lambda prefix, label: prefix + label,
              st.sampled_from(["", "一、", "（一）", "(二)", "1.", "２．", "(3)", "其中：", "1.其中:", "其中：2."]),
              st.sampled_from(T2014_LABELS) | st.text(alphabet=CELL_ALPHABET, max_size=8)),
)


@FAST
@given(printed=label_text)
def test_split_label_only_uses_input_characters(printed):
    split = split_label(printed)
    source = set(printed)
    assert set(split.label) <= source, split
    if split.prefix is not None:
        assert set(split.prefix) <= source, split
        assert split.level in (1, 2, 3, 4, None)
        assert split.label, split  # a prefix is never taken when nothing would be left
    # several notes are joined with "; ", the only characters the splitter adds
    if split.note is not None:
        assert set(split.note) - set("; ") <= source, split
    assert set((split.prefix or "") + split.label) <= source


@FAST
@given(printed=label_text)
def test_label_key_is_idempotent_without_numbering_or_parentheses(printed):
    folded = unicodedata.normalize("NFKC", printed)  # ⑴ folds to (1): parentheses after folding count too
    assume(not set(folded) & set("()（）"))
    assume(split_label(folded).prefix is None)
    key = label_key(printed)
    assert label_key(key) == key, (printed, key, label_key(key))


BARE_LABELS = sorted({split_label(label).label for label in T2014_LABELS})


@FAST
@given(st.lists(st.text(alphabet=st.sampled_from("统计表 　\t\r\u200b\u3000\u00a0①⑴㈠ｌ１（）“”ﾊﾟ\u0301e\u2028\x0c年月日2019|"),
                        max_size=12), max_size=8))
def test_compact_lines_equals_compact_of_each_line(lines):
    assert compact_lines(lines) == [compact(line) for line in lines]


@FAST
@given(st.text(alphabet=st.sampled_from("统“”‘’「」\u00a0\u2002\u2003\u2009\t a\"'"), max_size=30),
       st.sampled_from([{"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'},
                        {"\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\t": " "}]))
def test_replace_chars_equals_translate(text, mapping):
    assert replace_chars(text, mapping) == text.translate(str.maketrans(mapping))


@FAST
@given(st.text(max_size=40) | st.text(alphabet=st.sampled_from("统 　\u200bｌ１（）“”ﾊﾟ\u0301e\u0308"), max_size=20))
def test_compact_follows_its_definition(text):  # fast paths: characters replaced in place, a second NFKC skipped
    folded = re.sub(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000]+", "",
                    unicodedata.normalize("NFKC", text).translate(str.maketrans("“”‘’「」", "\"\"''\"\"")))
    assert compact(text) == unicodedata.normalize("NFKC", folded)


@FAST
@given(st.text(max_size=40) | st.text(alphabet=st.sampled_from(
    "统计(一)（一）第二十条第（五）项：，；！？％＂～＼１Ａａ　 \u200bｌﾊﾟ\u0301e\u0308①⑴㈠“”\uff5e\uff01"), max_size=30))
def test_fast_nfkc_is_nfkc(text):  # wide forms are replaced before NFKC (its quick check then passes)
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@FAST
@given(label=st.sampled_from(BARE_LABELS),
       prefix=st.sampled_from(["一、", "（一）", "(一)", "1.", "１．", "(1)", "（１）", "1、", " 2 . ", "其中：", "其 中:"]))
def test_label_key_ignores_numbering_prefix(label, prefix):
    assume(split_label(label).prefix is None)
    assert label_key(prefix + label) == label_key(label)
    assert split_label(prefix + label).prefix is not None


# ---------------------------------------------------------------------------------------------------------------
# 3. Whole documents through build.process_document
# ---------------------------------------------------------------------------------------------------------------

def _lines_as_read(text: str) -> list[str]:
    """The document lines as the reader numbers them (UTF-8 written, BOM dropped, CR/CRLF/LF breaks)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _national_lines(lines: list[str]) -> set[int]:
    """Lines in regions of the 2019/2021 national tables: read cell by cell, not by the 2014 row model."""
    from govstats.pipeline.build import vocabulary_for
    from govstats.readers.text import read_text
    from govstats.tables.national_stream import regions

    found: set[int] = set()
    units = read_text("\n".join(lines), 10**9).units()
    for first, last in regions(units, vocabulary_for(CODEBOOK)):
        found.update(range(first, last + 1))
    return found


def _expected_lines(lines: list[str]) -> tuple[bool, dict[int, tuple[str, tuple[int, ...] | None]]]:
    """Model of the layout rules: (has a header, {line: ("outside", None) | ("row", value cell indexes) |
    ("national", None)})."""
    expected: dict[int, tuple[str, tuple[int, ...] | None]] = {}
    value_columns: tuple[int, ...] | None = None
    has_header = False
    national = _national_lines(lines)
    for number, line in enumerate(lines, start=1):
        if number in national:
            expected[number] = ("national", None)
            continue
        if "|" in line:
            header = read_header(split_cells(line)[0], CODEBOOK)
            if header is not None:
                has_header = True
                value_columns = tuple(column.cell_index for column in header[2])
            elif value_columns is None:
                expected[number] = ("outside", None)
            else:
                expected[number] = ("row", value_columns)
        elif line.strip():
            value_columns = None  # prose ends the run of pipe lines
    return has_header, expected


def check_document(text: str, path: Path) -> None:
    path.write_bytes(text.encode("utf-8"))
    result = process_document(path, "doc", CODEBOOK, MATCHER)
    document = result.document
    assert document["status"] in ("ok", "no_table"), document["status_message"]
    lines = _lines_as_read(text)
    has_header, expected = _expected_lines(lines)
    national_observed = any(expected.get(o["source_line"], ("",))[0] == "national" for o in result.observations)
    assert document["status"] == ("ok" if has_header or national_observed else "no_table")
    assert document["n_observations"] == len(result.observations)
    assert document["n_rejections"] == len(result.rejections)

    observations_at: dict[int, list[dict]] = {}
    for obs in result.observations:
        observations_at.setdefault(obs["source_line"], []).append(obs)
    rejections_at: dict[int | None, list[dict]] = {}
    for rejection in result.rejections:
        rejections_at.setdefault(rejection["source_line"], []).append(rejection)

    for rejection in result.rejections:
        assert rejection["reason_code"] in REJECTION_CODES, rejection
        assert rejection["source_line"] in expected, rejection  # no rejection of a line that is not a pipe line
    for obs in result.observations:
        assert obs["source_line"] in expected and expected[obs["source_line"]][0] in ("row", "national"), obs
        flags = obs["flag_codes"].split(";") if obs["flag_codes"] else []
        assert set(flags) <= FLAG_CODES, obs
        if obs["status"] == "reported":
            assert obs["value"] is not None, obs
        else:
            assert obs["status"] in ("blank", "placeholder", "unparsable"), obs
            assert obs["value"] is None, obs
            assert obs["value_base"] is None, obs

    for number, (kind, value_columns) in expected.items():
        here = observations_at.get(number, [])
        reasons = {r["reason_code"] for r in rejections_at.get(number, [])}
        if kind == "national":  # a national region: every number on the line is an observation or rejected
            texts = [o["raw_value"] for o in here] + [r["raw_text"] or "" for r in rejections_at.get(number, [])]
            for cell in split_cells(lines[number - 1])[0] if "|" in lines[number - 1] else []:
                if cell.strip() and read_cell(cell, CODEBOOK).status == "reported":
                    assert any(cell.strip() in (text or "") for text in texts), (number, lines[number - 1], cell)
            continue
        if kind == "outside":
            assert not here, (number, lines[number - 1])
            assert reasons == {"not_a_statistics_table"}, (number, lines[number - 1], reasons)
            continue
        assert value_columns is not None
        # every row yields one observation per value column, or is rejected as a whole
        if reasons & WHOLE_ROW_REJECTIONS:
            assert not here, (number, lines[number - 1])
            continue
        assert len(here) == len(value_columns), (number, lines[number - 1], here, reasons)
        assert sorted(o["column_number"] for o in here) == list(range(1, len(value_columns) + 1))
        cells = split_cells(lines[number - 1])[0]
        for obs in here:
            index = value_columns[obs["column_number"] - 1]
            value_cell = cells[index] if index < len(cells) else ""
            flags = obs["flag_codes"].split(";") if obs["flag_codes"] else []
            if not unicodedata.normalize("NFKC", value_cell).strip() and "value_in_unit_column" not in flags:
                # a blank cell is missing, never 0
                assert obs["status"] == "blank", (number, lines[number - 1], obs)
                assert obs["value"] is None and obs["raw_value"] is None, obs


number_cell = st.one_of(
    st.integers(min_value=-10_000, max_value=10_000_000).map(str),
    st.integers().map(lambda n: f"{n:,}"),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.decimals(places=4, allow_nan=False, allow_infinity=False).map(lambda d: f"{d:f}"),
)
value_cell = st.one_of(
    st.just(""),
    number_cell,
    st.tuples(number_cell, st.sampled_from(UNITS)).map("".join),
    st.sampled_from(MISSING),
    inline_text,
)
unit_cell = st.one_of(st.just(""), st.sampled_from(UNITS), inline_text, number_cell)
row_label = st.one_of(
    st.sampled_from(T2014_LABELS),
    st.sampled_from(T2014_LABELS),
    st.sampled_from(ALIAS_LABELS + IGNORED_LABELS + ["项目", ""]),
    inline_text,
)


@st.composite
def table_row(draw) -> str:
    cells = [draw(row_label), draw(unit_cell), draw(value_cell)]
    shape = draw(st.sampled_from(["normal", "normal", "normal", "fewer", "more"]))
    if shape == "fewer":
        cells = cells[: draw(st.integers(min_value=1, max_value=2))]
    elif shape == "more":
        cells += draw(st.lists(inline_text, min_size=1, max_size=3))
    text = " | ".join(cells)
    if draw(st.booleans()):
        text += " |"
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        text = "| " + text
    return text


prose_line = st.one_of(st.just(""), inline_text, st.sampled_from(["一、主动公开情况", "2016年政府信息公开工作年度报告"]))
stray_pipe_line = st.lists(inline_text, min_size=2, max_size=4).map(" | ".join)


@st.composite
def document_text(draw) -> str:
    lines = draw(st.lists(prose_line, max_size=4))
    lines += draw(st.lists(stray_pipe_line, max_size=2))
    if draw(st.integers(min_value=0, max_value=6)) > 0:
        lines.append(HEADER)
        for _ in range(draw(st.integers(min_value=0, max_value=12))):
            if draw(st.integers(min_value=0, max_value=8)) == 0:
                lines.append(draw(st.sampled_from(["", "  ", "\u3000"])))  # blank lines do not end a table
            lines.append(draw(table_row()))
    lines += draw(st.lists(st.one_of(prose_line, stray_pipe_line, table_row()), max_size=4))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("documents")


@DOCS
@given(text=document_text())
def test_process_document_invariants(work_dir, text):
    check_document(text, work_dir / "generated.txt")


def test_seed_document_invariants(work_dir):
    check_document(SEED.read_text(encoding="utf-8"), work_dir / "seed.txt")


# ---------------------------------------------------------------------------------------------------------------
# 4. Mutations of a real report
# ---------------------------------------------------------------------------------------------------------------

SEED_BYTES = SEED.read_bytes()
SEED_LINES = SEED_BYTES.decode("utf-8").split("\n")


def _mutate_lines(lines: list[str], operations: list[tuple[str, int, int]]) -> list[str]:
    lines = list(lines)
    for operation, a, b in operations:
        if not lines:
            break
        i, j = a % len(lines), b % len(lines)
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(j, lines[i])
        elif operation == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "shuffle":
            start, end = min(i, j), max(i, j) + 1
            chunk = lines[start:end]
            random.Random(a * 31 + b).shuffle(chunk)
            lines[start:end] = chunk
    return lines


mutation = st.tuples(st.sampled_from(["delete", "duplicate", "swap", "shuffle"]),
                     st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))


@DOCS
@given(operations=st.lists(mutation, max_size=8), cut=st.none() | st.integers(min_value=0, max_value=len(SEED_BYTES)))
def test_mutated_seed_invariants(work_dir, operations, cut):
    # cut at any byte offset (possibly inside a UTF-8 sequence), then delete / duplicate / swap / shuffle lines
    lines = SEED_LINES if cut is None else SEED_BYTES[:cut].decode("utf-8", errors="ignore").split("\n")
    check_document("\n".join(_mutate_lines(lines, operations)), work_dir / "mutated.txt")
