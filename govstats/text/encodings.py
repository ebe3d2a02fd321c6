"""Bytes → text: detect UTF-8 (± BOM), UTF-16/32 (BOM, or the NUL pattern of UTF-16), GB18030/GBK and Big5.

Undecodable bytes are replaced (never a crash) and counted, so the document can say so. Between the
legacy Chinese encodings, which accept many of the same byte sequences, the one whose text is made of
common Chinese characters wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# The most frequent characters of Chinese text, government reports in particular (simplified forms;
# their traditional forms are added at first use).
_COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还"
    "因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结"
    "解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级"
    "少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领"
    "七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每"
    "目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影"
    "算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准"
    "精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听"
    "该铁价严龙飞息申请予依复诉讼审项件"
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    n_replaced: int


@cache
def _common_characters() -> frozenset[str]:
    from govstats.text.keys import to_traditional

    return frozenset(_COMMON) | frozenset(to_traditional(_COMMON))


def _score(text: str) -> float:
    """Share of the non-ASCII characters that are common Chinese characters."""
    common = _common_characters()
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 0.0
    return sum(ch in common for ch in wide) / len(wide)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 shows as NUL bytes in every other position (ASCII-range text)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes that no UTF-16/32 pattern explains."""
    return b"\x00" in data[:4096] and not any(data.startswith(bom) for bom, _ in _BOMS) \
        and _utf16_without_bom(data) is None


def decode(data: bytes) -> Decoded:
    """Decode with the detected encoding; undecodable bytes become U+FFFD and are counted."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _with_replacement(data, encoding)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _with_replacement(data, utf16)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 0)
    except UnicodeDecodeError:
        pass
    utf8 = _with_replacement(data, "utf-8")
    if utf8.n_replaced * 200 < len(data):  # a few bad bytes (a truncated file) in otherwise valid UTF-8
        return utf8
    strict = []
    for encoding in ("gb18030", "big5"):
        try:
            strict.append(Decoded(data.decode(encoding), encoding, 0))
        except UnicodeDecodeError:
            continue
    if strict:
        return max(strict, key=lambda decoded: _score(decoded.text))
    candidates = [_with_replacement(data, encoding) for encoding in ("utf-8", "gb18030", "big5")]
    return max(candidates, key=lambda decoded: (_score(decoded.text), -decoded.n_replaced))


def _with_replacement(data: bytes, encoding: str) -> Decoded:
    try:
        return Decoded(data.decode(encoding), encoding, 0)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        original = data.decode(encoding, errors="ignore")
        return Decoded(text, encoding, text.count("\ufffd") - original.count("\ufffd"))
