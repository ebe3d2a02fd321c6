"""Text helpers shared by every stage: width and script normalization for matching, label splitting.

The original text is never changed; these functions only build keys to compare labels with.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'}
_CHINESE_NUMERAL = "一二三四五六七八九十"
# Numbering prefixes, tried in order; the level is the depth they give on the official forms.
_PREFIXES: tuple[tuple[re.Pattern[str], int | None], ...] = (
    (re.compile(rf"^\s*[{_CHINESE_NUMERAL}]+\s*[、.．，,]\s*"), 1),
    (re.compile(rf"^\s*[(（]\s*[{_CHINESE_NUMERAL}]+\s*[)）]\s*[、.．]?\s*"), 2),
    (re.compile(r"^\s*[0-9０-９]+\s*[.．、,，)）]\s*(?![0-9０-９])"), 3),
    (re.compile(r"^\s*[(（]\s*[0-9０-９]+\s*[)）]\s*[、.．]?\s*"), 4),
    (re.compile(r"^\s*其\s*中\s*[:：,，]?\s*"), None),
)
# A parenthetical note; a parenthesized numeral inside a label (第二十条第（一）项) is part of the label.
_NOTE = re.compile(rf"\s*[(（](?![{_CHINESE_NUMERAL}0-9０-９]{{1,3}}[)）])([^()（）]*)[)）]\s*")


@dataclass(frozen=True)
class SplitLabel:
    """A printed row label taken apart: numbering prefix, label proper, parenthetical note."""

    prefix: str | None
    level: int | None
    is_of_which: bool
    label: str
    note: str | None


def replace_chars(text: str, mapping: dict[str, str]) -> str:
    """``text.translate`` for a few characters, much faster on CJK text: only the characters present are
    replaced, each by one C-level ``str.replace``."""
    for old, new in mapping.items():
        if old in text:
            text = text.replace(old, new)
    return text


def _nfkc(text: str) -> str:
    """NFKC, skipped when the quick check says the text already is (the usual case the second time)."""
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


# The wide forms (，：（） …) and the ideographic space: NFKC maps each to one ASCII character.
_WIDE = re.compile("[\u3000\uff01-\uff5e]")
_NARROW = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, several times faster on Chinese text.

    Nearly every line of it holds wide punctuation, so the quick check fails and ``normalize`` (about 120 ns a
    character) runs. Each wide form is replaced first by the character NFKC gives it; this leaves the text's
    compatibility decomposition, hence its NFKC, unchanged, and the quick check then usually passes.
    """
    if text.isascii():
        return text
    for char in set(_WIDE.findall(text)):
        text = text.replace(char, _NARROW[char])
    return _nfkc(text)


# White space is removed by str.split (the same characters as the regex \s, and several times faster).
_ZERO_WIDTH_CHARS = dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", "")


def compact(text: str) -> str:
    """NFKC width folding, curly quotes made straight, all whitespace (incl. zero-width) removed."""
    folded = "".join(replace_chars(replace_chars(nfkc(text), _QUOTES), _ZERO_WIDTH_CHARS).split())
    return _nfkc(folded)  # again: removing spaces can leave composable sequences


def compact_lines(lines: list[str]) -> list[str]:
    """``[compact(line) for line in lines]`` with the normalization done once over the joined text (lines
    hold no newline; no normalization crosses one), for scanning every line of a document cheaply."""
    if not lines:
        return []
    joined = replace_chars(replace_chars(nfkc("\n".join(lines)), _QUOTES), _ZERO_WIDTH_CHARS)
    return _nfkc("\n".join(["".join(line.split()) for line in joined.split("\n")])).split("\n")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


# Bounded caches: labels recur in every document, but every line of every document passes through here too,
# and an unbounded cache would grow with the corpus.
_KEY_CACHE_SIZE = 65_536


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (opencc)."""
    if text.isascii():
        return text
    return _converter().convert(text)


@cache
def _to_traditional_converter():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified → traditional (used to recognize Big5 text by its common characters)."""
    return _to_traditional_converter().convert(text)


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def split_label(printed: str) -> SplitLabel:
    """Split ``(一)主动公开政府信息数 (不同渠道…计1条)`` into prefix, label and note, keeping the printed text."""
    text = _ZERO_WIDTH.sub("", printed).strip()
    prefix, level, of_which = None, None, False
    for pattern, pattern_level in _PREFIXES:
        match = pattern.match(text)
        if match and match.end() < len(text):
            prefix = match.group(0).strip()
            level, of_which = pattern_level, pattern_level is None
            text = text[match.end():]
            # 其中 can follow a number (1.其中：…) and a number can follow 其中 (其中：1.…): keep both.
            if not of_which:
                inner = _PREFIXES[-1][0].match(text)
                if inner and inner.end() < len(text):
                    prefix, of_which, text = prefix + inner.group(0).strip(), True, text[inner.end():]
            else:
                for number_pattern, number_level in _PREFIXES[:-1]:
                    inner = number_pattern.match(text)
                    if inner and inner.end() < len(text):
                        prefix, level, text = prefix + inner.group(0).strip(), number_level, text[inner.end():]
                        break
            break
    text, notes = remove_notes(text)
    return SplitLabel(prefix, level, of_which, text.strip(), "; ".join(n for n in notes if n) or None)


_PARENS = re.compile(r"[()（）]")
_OPEN = frozenset("(（")


def remove_notes(text: str) -> tuple[str, list[str]]:
    """Take the parenthetical notes out of a label, innermost and leftmost first, with the white space around
    each; a label that is one parenthesis as a whole stays as it is, and so do numerals in parentheses.

    The same result as removing ``_NOTE`` matches one at a time (``(text, notes)`` of the loop
    ``while m := _NOTE.search(text), unless m is all of text: note m, text = cut m out, stripped``), in one
    pass over the text: that loop is quadratic in the length of the label (a 200 KB line took 40 s).
    """
    if "(" not in text and ")" not in text and "（" not in text and "）" not in text:
        return text, []
    pieces: list[str] = []  # the text left so far; each parenthesis is a piece of its own
    parens: list[int] = []  # indexes in pieces of the parentheses left, in order
    notes: list[str] = []
    last = ""  # the latest note removed, as printed (kept as the label if it turns out to be all of it)
    skip_space = False  # white space after a removed note belongs to it
    position = 0
    for match in _PARENS.finditer(text):
        segment = text[position:match.start()]
        position = match.end()
        if skip_space:
            segment = segment.lstrip()
        skip_space = False
        if segment:
            pieces.append(segment)
        paren = match.group()
        if paren in _OPEN or not parens or pieces[parens[-1]] not in _OPEN:
            parens.append(len(pieces))
            pieces.append(paren)
            continue
        start = parens[-1]
        content = "".join(pieces[start + 1:])
        if 1 <= len(content) <= 3 and all(char in _NUMERALS for char in content):  # 第（一）项: kept
            parens.append(len(pieces))
            pieces.append(paren)
            continue
        last = pieces[start] + content + paren
        notes.append(content.strip())
        del pieces[start:]
        parens.pop()
        while pieces and not pieces[-1].rstrip():  # white space before the note belongs to it too
            pieces.pop()
        if pieces:
            pieces[-1] = pieces[-1].rstrip()
        skip_space = True
    segment = text[position:]
    pieces.append(segment.lstrip() if skip_space else segment)
    left = "".join(pieces).strip()
    if not left and notes:  # the label was one note as a whole: it stays the label
        notes.pop()
        return last, notes
    return left, notes


_NUMERALS = frozenset(_CHINESE_NUMERAL + "0123456789０１２３４５６７８９")


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def label_key(printed: str) -> str:
    """The key labels are matched on: label proper, width-folded, simplified, without spaces.

    Folding (and removing white space) happens before the split so that numbering in compatibility
    characters (㈠, ⑴, ⒈) or with spaces inside (1 .) is recognized as numbering."""
    return to_simplified(compact(split_label(compact(printed)).label))


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def cell_key(printed: str) -> str:
    """Key for short cells such as headers and units: width-folded, simplified, without spaces."""
    return to_simplified(compact(printed))
