"""Read one cell: a number (with an optional unit written inside it), a missing-value token, or text.

Nothing that is not clearly a number becomes one: anything else is ``unparsable`` and keeps its raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from govstats.codebook import Codebook

_NUMBER = re.compile(
    r"^(?P<approx_before>约|大约|近)?"
    r"(?P<number>[+-]?(?:[0-9]{1,3}(?:[, ][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)"
    r"\s*(?P<approx_after>余|多|左右)?"
    r"\s*(?P<unit>[^0-9\s.,+-][^0-9]*)?$"
)
# Full-width ASCII (Ｕ+FF01–FF5E) → ASCII and the ideographic space → space; nothing else is folded, so
# superscripts, circled numbers and other digit-like characters never become digits.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
ABSURD_MAGNITUDE = Decimal("1e15")


@dataclass(frozen=True)
class Cell:
    """What a cell says: status (reported, blank, placeholder, unparsable), value, unit text, flags."""

    status: str
    value: Decimal | None = None
    unit_text: str | None = None
    flags: tuple[str, ...] = ()


_DIGITS = {"〇": 0, "零": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
           "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CHINESE_NUMBER = re.compile(f"^[{''.join(_DIGITS)}{''.join(_SMALL_UNITS)}万]+$")


def chinese_numeral(text: str) -> int | None:
    """一百零五 → 105, 十二 → 12, 两千 → 2000, 三万五千 → 35000; None if the text is not a well-formed numeral."""
    if not _CHINESE_NUMBER.match(text):
        return None
    total, section, digit, last_unit = 0, 0, None, 10**9
    for char in text:
        if char in _DIGITS:
            if digit is not None and _DIGITS[char] != 0:
                return None  # two digits in a row (一二) is not a numeral
            digit = _DIGITS[char] if _DIGITS[char] != 0 else None
        elif char in _SMALL_UNITS:
            unit = _SMALL_UNITS[char]
            if unit >= last_unit:
                return None
            section += (digit if digit is not None else 1) * unit
            digit, last_unit = None, unit
        else:  # 万
            if total:
                return None
            total = (section + (digit or 0)) * 10_000
            section, digit, last_unit = 0, None, 10**9
    return total + section + (digit or 0)


@lru_cache(maxsize=65_536)  # cells repeat ("0", "1", "-"): the reading is a pure function of the text
def read_cell(text: str, codebook: Codebook) -> Cell:
    """Classify one cell's text using the codebook's missing-value tokens and units."""
    stripped = text.translate(_FULL_WIDTH).strip()
    if stripped in codebook.missing_tokens:
        return Cell(codebook.missing_tokens[stripped])
    match = _NUMBER.match(stripped)
    if not match:
        numeral = chinese_numeral(stripped)
        if numeral is not None:
            return Cell("reported", Decimal(numeral), None, ("chinese_numeral",))
        return Cell("unparsable")
    flags: list[str] = []
    if match.group("approx_before") or match.group("approx_after"):
        flags.append("approximate")
    unit_text = match.group("unit")
    if unit_text:
        unit_text = unit_text.strip()
        if codebook.unit_by_zh(unit_text) is None:
            return Cell("unparsable")
        flags.append("unit_in_value_cell")
    value = Decimal(match.group("number").replace(",", "").replace(" ", ""))
    multiplier = codebook.unit_by_zh(unit_text).multiplier if unit_text else 1
    if abs(value) * multiplier >= ABSURD_MAGNITUDE:
        return Cell("unparsable", flags=("absurd_magnitude",))
    if value < 0:
        flags.append("negative_value")
    return Cell("reported", value, unit_text or None, tuple(flags))

