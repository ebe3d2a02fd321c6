"""Who published a document, from what its text states: the agency's canonical name (mirror and spam noise
removed), the kind of body, its administrative level and its region, and a key that is the same for one agency
across years and name variants.

Nothing is guessed: a field the text does not support stays empty; a place name that fits several divisions keeps
every candidate (``region_candidates``, flag ``region_ambiguous``) and gives no code. The name is read from
``documents.agency`` where the metadata scan found one, else from the other places a report states its author,
as ``documents.stated_agencies`` finds them (the sentences that publish it, 由…编制, 发布机构/来源, the closing
signature, the statistics-table heading).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govstats.agencies.regions import Mention, Region, mentions, narrow
from govstats.documents import stated_agencies
from govstats.text.keys import compact, to_simplified

if TYPE_CHECKING:
    from govstats.documents import Document

# Mirror and spam noise: segments of a name that carry Latin letters with digits, or web words.
_NOISE = re.compile(r"[A-Za-z]+\d|\d+[A-Za-z]|官网|网址|平台|客户端|娱乐|彩票|博彩|注册|登录|下载|http|www|\.com",
                    re.IGNORECASE)
_SEPARATORS = re.compile(r"[_|｜/\\\-—–~]+")
_AGENCY_END = re.compile(r"(?:局|委|办|厅|院|政府|室|中心|会|所|镇|乡|街道|处|委员会|办公室|党组|党委|署|站|队|"
                         r"综合实验区|开发区|新区|苏木|办事处)$")
_YEARISH = re.compile(r"(?:19|20)\d{2}\s*年")

_TOWNSHIP = re.compile(r"(?:镇|乡|苏木)(?:人民政府|政府)?(?:党政办公室|党政办|办公室)?$")
_STREET = re.compile(r"街道(?:办事处)?(?:党工委)?(?:党政办公室|办公室)?$")
_ZONE = re.compile(r"(?:综合实验区|经济技术开发区|经济开发区|高新技术产业开发区|高新区|开发区|新区|试验区)"
                   r"(?:党工委)?(?:管委会|管理委员会)?$|(?:管委会|管理委员会)$")
_GOVERNMENT = re.compile(r"(?:省|市|区|县|旗|盟|州)?(?:人民政府|政府)$")
_GOVERNMENT_OFFICE = re.compile(r"(?:人民政府|政府)(?:办公厅|办公室)$|政府办$")
_PARTY = re.compile(r"^中共|(?:党组|党委|党工委)$")


@dataclass
class AgencyFacts:
    """What the text says about the document's author; ``evidence`` says where each field came from."""

    name: str | None = None
    source: str | None = None
    kind: str | None = None
    level: str | None = None
    province: Region | None = None
    city: Region | None = None
    county: Region | None = None
    candidates: tuple[Region, ...] = ()
    key: str | None = None
    flags: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def record(self) -> dict:
        """The documents columns."""
        return {
            "agency_name": self.name, "agency_kind": self.kind, "agency_level": self.level,
            "province_name": self.province.name if self.province else None,
            "province_code": self.province.code if self.province else None,
            "city_name": self.city.name if self.city else None,
            "city_code": self.city.code if self.city else None,
            "county_name": self.county.name if self.county else None,
            "county_code": self.county.code if self.county else None,
            "region_candidates": "; ".join(f"{r.path} {r.code}" for r in self.candidates) or None,
            "agency_id": self.key,
            "agency_flags": ";".join(self.flags) or None,
            "agency_evidence": "; ".join(self.evidence) or None,
        }


def clean_name(raw: str) -> tuple[str | None, bool]:
    """The agency name in a raw string, and whether noise was removed: a signature such as
    ``365bet平台客户端_速发365网址_bei365官网科学技术局`` gives ``科学技术局``. Returns (None, …) when no
    segment is a name."""
    text = to_simplified(compact(raw)).strip("：:，,。 ")
    if not _NOISE.search(text):
        return (text, False) if _AGENCY_END.search(text) else (None, False)
    segments = [s for s in _SEPARATORS.split(text) if s]
    for segment in reversed(segments):
        cleaned = segment
        ends = [match.end() for match in _NOISE.finditer(cleaned)]
        if ends:  # spam glued to the front of the name: drop up to the last noise match
            cleaned = cleaned[ends[-1]:]
        if len(cleaned) >= 2 and _AGENCY_END.search(cleaned):
            return cleaned, True
    return None, True


# The stated names read here besides the documents table's agency (which stands for the fields and the title).
_SOURCES = ("report_named", "published_as", "compiled_by", "publisher_field", "signature", "source_field",
            "table_heading")


def stated_names(document: Document, lines: list[str]) -> Iterator[tuple[str, str]]:
    """(source, raw name) where the text states its author, most direct first: the documents table's agency,
    then ``documents.stated_agencies`` (compacted, in simplified characters); ``lines``: the document's
    ``simplified_lines``."""
    if document.agency:
        yield "agency", document.agency
    for source, text in stated_agencies(document.clean_lines, document.compact_lines, simplified=lines):
        if source in _SOURCES:
            yield source, to_simplified(compact(text))


def _leading_chain(name: str) -> list[Mention]:
    """The place names the agency's name starts with (中共 skipped), each directly after the one before."""
    start = 2 if name.startswith("中共") else 0
    chain: list[Mention] = []
    for mention in mentions(name[start:]):
        if mention.start != (chain[-1].end if chain else 0):
            break
        chain.append(mention)
    return chain


_MAX_CONTEXT = 200  # occurrences of a name looked at in one text (bounded work)


def _context_chain(lines: list[str], target: str, chain: list[Mention]) -> list[Mention]:
    """Divisions written directly in front of ``target`` in the text (微山县两城镇, 北京市朝阳区), put in front of
    ``chain``: the text's own statement of where a place lies. Every such statement in the text must agree on
    the divisions it leaves (a report that names 北京市朝阳区 and 长春市朝阳区 stays ambiguous); else nothing."""
    found: list[list[Mention]] = []
    occurrences = ((line, match) for line in lines for match in re.finditer(re.escape(target), line))
    for number, (text, match) in enumerate(occurrences):
        if number == _MAX_CONTEXT:
            break
        before = text[max(0, match.start() - 24): match.start()]
        mentioned = [m for m in mentions(before) if not m.short]
        if not mentioned or mentioned[-1].end != len(before):
            continue
        contiguous = [mentioned[-1]]
        for mention in reversed(mentioned[:-1]):
            if mention.end == contiguous[0].start:
                contiguous.insert(0, mention)
        found.append(contiguous + chain)
    if not found:
        return []
    outcomes = {tuple(r.code for r in narrow(candidate)[-1]) for candidate in found}
    return found[0] if len(outcomes) == 1 else []


_TEXT_LINES, _TEXT_CHARS = 200, 2_000  # the opening and closing lines are read for places (bounded work)


def text_province(lines: list[str]) -> Region | None:
    """The one province every division the text names lies in (娄底市 in a 市经信委 report), or None. Only names
    of three characters or more that fit one division count (a two-character county such as 义县 or 和县 hides in
    ordinary words); a name of several divisions none of which lies in that province, or a second province, gives
    None. Only the first and last 200 lines (2,000 characters each) are read: where a report says who and where."""
    provinces: set[str] = set()
    ambiguous: list[tuple[Region, ...]] = []
    read = lines if len(lines) <= _TEXT_LINES * 2 else lines[:_TEXT_LINES] + lines[-_TEXT_LINES:]
    for line in read:
        for mention in mentions(line[:_TEXT_CHARS]):
            if mention.short or len(mention.name) < 3:
                continue
            if len(mention.regions) == 1:
                provinces.add(mention.regions[0].province_code)
                if len(provinces) > 1:
                    return None
            else:
                ambiguous.append(mention.regions)
    if len(provinces) != 1:
        return None
    code = provinces.pop()
    if any(all(r.province_code != code for r in regions) for regions in ambiguous):
        return None
    return _provinces()[code]


def kind_of(name: str) -> str:
    """The kind of body, from the end of its name."""
    if _STREET.search(name):
        return "street_office"
    if _TOWNSHIP.search(name):
        return "township_government"
    if _ZONE.search(name):
        return "management_committee"
    if _GOVERNMENT_OFFICE.search(name):
        return "government_office"
    if _GOVERNMENT.search(name) or re.fullmatch(r".{2,12}(?:省|市|区|县|旗)", name):
        return "government"
    if _PARTY.search(name) and not re.search(r"(?:局|委|厅|办)(?:党组|党委)$", name):
        return "party_body"
    return "department"


_OWN_PLACE = re.compile(r"^(.{1,10}?(?:镇|乡|苏木|街道))")


def core_name(name: str, chain: list[Mention]) -> tuple[str, list[str]]:
    """The name that stays the same across years, below the division that ``agency_id`` is keyed on: 中共 … 党组
    and 人民政府 / 管委会 / 办事处 / 党政办公室 wording folded, the leading division names dropped (平潭县人民政府 →
    平潭县, 重庆市九龙坡区二郎街道办事处 → 二郎街道). A zone named by a short name keeps it (平潭综合实验区).
    Returns the core and the steps taken."""
    steps: list[str] = []
    core = name
    if core.startswith("中共") and re.search(r"(?:党组|党委)$", core):
        core = re.sub(r"(?:党组|党委)$", "", core[2:])
        steps.append("中共…党组 folded")
    for pattern, replacement, label in (
        (r"(?<=[镇乡])(?:人民政府|政府)?(?:党政办公室|党政办)$", "", "党政办公室 folded"),
        (r"人民政府(?=.+(?:街道|镇|乡))", "", "人民政府 before the township dropped"),
        (r"(?:党工委)?(?:管委会|管理委员会)$", "", "管委会 folded"),
        (r"街道办事处$", "街道", "办事处 folded"),
        (r"(?<=[省市区县旗镇乡])(?:人民政府|政府)$", "", "人民政府 folded"),
    ):
        folded = re.sub(pattern, replacement, core)
        if folded != core and len(folded) >= 2:
            core = folded
            steps.append(label)
    if chain and not chain[-1].short:
        places = "".join(m.name for m in chain)
        if core.startswith(places) and len(core) > len(places):
            core = core[len(places):]
            steps.append(f"{places} dropped (in the code)")
        elif core.startswith(places[: len(places) - len(chain[-1].name)]) and len(chain) > 1:
            core = core[len(places) - len(chain[-1].name):]
            steps.append(f"{places[: len(places) - len(chain[-1].name)]} dropped (in the code)")
    return core, steps


def resolve(document: Document) -> AgencyFacts:
    """The agency facts of one described document."""
    facts = AgencyFacts()
    lines = document.simplified_lines
    for source, raw in stated_names(document, lines):
        name, noisy = clean_name(raw)
        if noisy:
            facts.flags.append("agency_noise_removed")
            facts.evidence.append(f"noise removed from {source} {raw!r}")
        if name and not _YEARISH.search(name):
            facts.name, facts.source = name, source
            facts.evidence.append(f"name from {source}")
            break
    if not facts.name:
        return facts
    name = facts.name
    facts.kind = kind_of(name)
    chain = _leading_chain(name)
    own = _OWN_PLACE.match(name[2:] if name.startswith("中共") else name)
    if facts.kind in ("township_government", "street_office"):
        facts.level = "township" if facts.kind == "township_government" else "street"
        bare = name[2:] if name.startswith("中共") else name
        if chain and re.match(r"(?:镇|乡|街道|苏木)", bare[chain[-1].end:]):
            chain = chain[:-1]  # 东区街道: the division name is the street's own name, not where it lies
            own = _OWN_PLACE.match(bare[chain[-1].end:] if chain else bare)
        if own and not chain:
            chain = _context_chain(lines, own.group(1), [])
            if chain:
                facts.evidence.append(f"region from the text's {''.join(m.name for m in chain)}{own.group(1)}")
    elif chain and len(narrow(chain)[-1]) > 1:  # 朝阳区人民政府: does the text say which 朝阳区?
        context = _context_chain(lines, chain[-1].name, chain[-1:])
        if context and len(narrow(context)[-1]) == 1:
            chain = context
            facts.evidence.append(f"region from the text's {''.join(m.name for m in context)}")
    elif not chain and facts.kind == "department":  # 信访局: the text may write 大通县信访局
        context = _context_chain(lines, name, [])
        if context:
            facts.flags.append("region_from_context")
            facts.evidence.append(f"province from the text's {''.join(m.name for m in context)}{name}")
            _place(facts, context, province_only=True)
    _place(facts, chain)
    if facts.province is None and not chain and not facts.candidates:
        province = text_province(lines)
        if province:
            facts.province = province
            facts.flags.append("region_from_text")
            facts.evidence.append(f"province from the divisions the text names, all in {province.name}")
    if facts.level is None and chain and not chain[-1].short:
        levels = {r.level for r in narrow(chain)[-1]}
        if len(levels) == 1:
            facts.level = levels.pop()
        else:
            facts.flags.append("agency_level_ambiguous")
    region = _key_region(facts)
    if region:
        core, steps = core_name(name, chain)
        facts.key = f"{region.code}-{core}"
        facts.evidence.append(f"agency_id from {region.name} {region.code} + {core}"
                              + (f" ({'; '.join(steps)})" if steps else ""))
    return facts


def _key_region(facts: AgencyFacts) -> Region | None:
    """The division ``agency_id`` is keyed on: the one directly above the body (a township's county, a county
    bureau's county …), so that two bodies of one name in different places never share an id. None where the
    text does not give it (a 信访局 placed only in its province, a township in no county)."""
    if facts.kind == "management_committee" and "region_from_short_name" in facts.flags:
        return facts.province  # the zone's own name holds its place (平潭综合实验区)
    needed = {"township": facts.county, "street": facts.county, "county": facts.county, "city": facts.city,
              "province": facts.province}
    return needed.get(facts.level or "")


def _place(facts: AgencyFacts, chain: list[Mention], province_only: bool = False) -> None:
    """Province, prefecture and county from the chain; every candidate kept where it is ambiguous. With
    ``province_only`` (a department placed by another mention of its name) only the province is given."""
    if not chain:
        return
    kept = narrow(chain)
    last = kept[-1]
    provinces = {r.province_code for r in last}
    if len(last) > 1:
        facts.candidates = last
        facts.flags.append("region_ambiguous")
    if chain[-1].short:
        facts.flags.append("region_from_short_name")
    if len(provinces) != 1:
        return
    region = last[0]
    facts.province = _provinces()[region.province_code]
    if chain[-1].short or province_only:  # a zone named after a county is not the county: the province only
        return
    cities = {r.city_code for r in last}
    if len(cities) == 1 and region.city_code:
        facts.city = _cities()[region.city_code]
    if len(last) == 1 and region.level == "county":
        facts.county = region


def _provinces() -> dict[str, Region]:
    return _by_level()["province"]


def _cities() -> dict[str, Region]:
    return _by_level()["city"]


@functools.cache
def _by_level() -> dict[str, dict[str, Region]]:
    """The divisions of each level by code (looked up for every document: a scan of the table cost more than the
    rest of the resolution)."""
    from govstats.agencies.regions import divisions

    levels: dict[str, dict[str, Region]] = {}
    for region in divisions():
        levels.setdefault(region.level, {})[region.code] = region
    return levels
