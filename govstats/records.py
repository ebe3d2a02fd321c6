"""The records that pass between the stages of a build."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DocumentResult:
    """Everything one document contributed: its ``documents`` row and its observation, check and rejection rows."""

    document: dict
    observations: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    rejections: list[dict] = field(default_factory=list)
    tables: list[tuple[int, str | None]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
