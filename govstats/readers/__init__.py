"""One reader per input format: text → a ``Layout`` of text blocks and grids of located cells.

A reader is a function ``(text, max_line_chars) -> Layout``, registered here by name and file suffix. A new format (PDF,
DOCX …) is one new module in this package and one line in ``READERS`` and ``SUFFIXES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from govstats.readers.html import read_html
from govstats.readers.text import read_text
from govstats.tables.model import Layout

# (text, max_line_chars) -> Layout; a reader leaves out lines or blocks over the limit and lists them.
READERS: dict[str, Callable[[str, int], Layout]] = {"text": read_text, "html": read_html}
SUFFIXES: dict[str, str] = {".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
                            ".txt": "text", ".text": "text", ".md": "text"}

_HTML_START = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
                         re.IGNORECASE | re.DOTALL)
_TABLE_TAGS = re.compile(r"<(?:tr|td|th)[\s>]", re.IGNORECASE)
_TABLE_START = re.compile(r"<table[\s>]", re.IGNORECASE)


def sniff(suffix: str, text: str) -> str:
    """The reader for a file: by its suffix, except text that is really HTML (a saved page named .txt)."""
    name = SUFFIXES.get(suffix.lower(), "text")
    head = text[:200_000]
    markup = _HTML_START.match(head) or (_TABLE_START.search(head) and len(_TABLE_TAGS.findall(head)) >= 6)
    if name == "text" and markup:
        return "html"
    return name
