"""Repair text for matching (the original is kept): markup remnants, entities, invisible characters and the
pinyin glosses some mirrors insert after each character (政務(wù)公開(kāi)).

Repair works line by line and never joins or splits lines, so source line numbers stay true.
"""

from __future__ import annotations

import html
import re

from govstats.text.keys import replace_chars

_COMMENT = re.compile(r"<!--.*?-->|<!\[if [^\]]*\]>|<!\[endif\]>|<![A-Za-z][^>]*>", re.S)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = {"\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\t": " "}
_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# A gloss: lowercase pinyin with at least one tone mark, in parentheses, right after a CJK character (the
# look-behind comes after the parenthesis, so that the search skips from parenthesis to parenthesis).
_GLOSS = re.compile(rf"[(（](?<=[\u3400-\u9fff][(（])[a-zü{_TONE_MARKS}]*[{_TONE_MARKS}][a-zü{_TONE_MARKS}]*[)）]")
# Any character that a repair below looks for: most lines have none (one scan instead of one per repair).
_ANY_DEFECT = re.compile("[<&(（\u200b\u200c\u200d\u2060\ufeff\u00ad" + "".join(_SPACES) + "]")


def repair_line(line: str) -> str:
    """One line made fit for matching; a line without any of the defects comes back unchanged."""
    if not _ANY_DEFECT.search(line):
        return line
    if "<" in line:
        line = _TAG.sub(" ", _COMMENT.sub("", line))
    if "&" in line:
        line = html.unescape(line)
    if "(" in line or "（" in line:
        line = _GLOSS.sub("", line)
    return replace_chars(_INVISIBLE.sub("", line), _SPACES)


# A gloss whose opening parenthesis was swallowed with a lost byte ("?guī)"): the text around it was
# shifted by one byte when the mirror transcoded it, and the lost bytes cannot be recovered.
_BROKEN_GLOSS = re.compile(rf"\?[a-zü{_TONE_MARKS}]*[{_TONE_MARKS}][a-zü{_TONE_MARKS}]*\)")


def count_glosses(text: str) -> int:
    return len(_GLOSS.findall(text))


def broken_glosses(lines: list[str]) -> list[int]:
    """Line numbers where a gloss lost its parenthesis together with a byte of the text (mojibake)."""
    if not _BROKEN_GLOSS.search("\n".join(lines)):  # one scan for the usual case (no match spans a newline)
        return []
    return [number for number, line in enumerate(lines, start=1) if _BROKEN_GLOSS.search(line)]
