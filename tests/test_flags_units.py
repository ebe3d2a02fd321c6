"""Flags split into reading notes and warnings; every reported value has a value_base or says why not."""

from __future__ import annotations

import pytest

from govstats.pipeline import build
from tests.conftest import CORPUS_RAW


@pytest.fixture(scope="module")
def corpus():
    return build.run([CORPUS_RAW])


def _codes(text: str | None) -> set[str]:
    return set(text.split(";")) if text else set()


def test_every_flag_declares_its_kind(codebook):
    assert set(codebook.flag_kinds) == set(codebook.flags())
    assert set(codebook.flag_kinds.values()) == {"note", "warning"}
    assert codebook.flag_kinds["unit_from_codebook"] == "note"  # how a value was found, nothing to look at
    assert codebook.flag_kinds["unmatched_label"] == "warning"


def test_warning_codes_are_the_warnings_among_the_flag_codes(corpus, codebook):
    observations = [o for r in corpus.results for o in r.observations]
    assert observations
    for observation in observations:
        flags, warnings = _codes(observation["flag_codes"]), _codes(observation["warning_codes"])
        assert warnings == flags & codebook.warnings
    assert any(_codes(o["flag_codes"]) and not o["warning_codes"] for o in observations)  # notes alone exist


def test_the_summary_counts_warnings_not_reading_notes(corpus):
    observations = [o for r in corpus.results for o in r.observations]
    with_warnings = sum(bool(o["warning_codes"]) for o in observations)
    flagged = sum(bool(o["flag_codes"]) for o in observations)
    assert with_warnings < flagged
    line = next(line for line in corpus.tally.summary_lines() if line.strip().startswith("observations:"))
    assert f"{with_warnings} with warnings" in line and "flagged" not in line


def test_every_reported_value_has_a_base_value_or_a_flag_saying_why_not(corpus):
    reported = [o for r in corpus.results for o in r.observations if o["status"] == "reported"]
    assert len(reported) > 500
    for observation in reported:
        if observation["value_base"] is None:
            assert _codes(observation["flag_codes"]) & {"no_unit", "unknown_unit"}, observation
        else:
            assert observation["unit"] and observation["base_unit_code"], observation
    share = sum(o["value_base"] is not None for o in reported) / len(reported)
    assert share > 0.99


def test_a_heading_takes_the_unit_of_the_first_row_under_it(codebook):
    from govstats.observations.normalize import section_unit

    assert section_unit(codebook, "t2014.active") == "条"  # its rows count items (条) and documents (件)
    assert section_unit(codebook, "t2014.active.channel") == "条"
    assert section_unit(codebook, "t2014.active.channel.gazette") is None  # no rows under it


def test_a_heading_whose_rows_mix_quantities_gets_no_unit(codebook):
    from govstats.observations.normalize import section_unit

    mixed = [i.indicator_id for i in codebook.indicators.values() if codebook.children(i.indicator_id)
             and len({codebook.units_by_zh[d.unit].quantity for d in _descendants(codebook, i.indicator_id)
                      if d.unit}) > 1]
    assert mixed, "the codebook has headings over both counts and money"
    assert all(section_unit(codebook, indicator_id) is None for indicator_id in mixed)


def _descendants(codebook, indicator_id):
    for child in codebook.children(indicator_id):
        yield child
        yield from _descendants(codebook, child.indicator_id)
