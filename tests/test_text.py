"""Text cut to a length is cut between user-perceived characters, never inside one."""

import pytest

from commentbox.domain.text import shorten

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one character on screen, seven code points
FLAG = "🇩🇪"  # two regional indicators
ACCENTED = "e\u0301"  # e and a combining acute, as some keyboards type it


@pytest.mark.parametrize("unit", [FAMILY, FLAG, ACCENTED, "a"])
def test_a_long_text_is_cut_between_characters_with_an_ellipsis(unit):
    cut = shorten(unit * 100, 10)
    assert cut == unit * 9 + "…"


def test_a_text_within_the_limit_is_kept_as_it_is():
    assert shorten(FAMILY * 10, 10) == FAMILY * 10
    assert shorten("", 10) == ""


def test_the_cut_does_not_leave_a_space_before_the_ellipsis():
    assert shorten("one two three four", 9) == "one two…"
