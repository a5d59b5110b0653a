"""The 7-3-1 check digit against the worked examples of Doc 9303 Part 3."""

from __future__ import annotations

from kiosk.document import checkdigit


def test_part3_worked_examples() -> None:
    assert checkdigit.compute("520727") == 3
    assert checkdigit.compute("AB2134<<<") == 5


def test_character_values() -> None:
    assert checkdigit.char_value("<") == 0
    assert checkdigit.char_value("A") == 10
    assert checkdigit.char_value("Z") == 35
    assert checkdigit.char_value("7") == 7
    assert checkdigit.char_value("a") is None


def test_characters_outside_the_set_never_verify() -> None:
    # A space read for a filler weighs like nothing, so it must not pass as one.
    assert checkdigit.compute("AB 134") is None
    assert not checkdigit.verifies("AB2134   ", "5")
    assert checkdigit.verifies("AB2134<<<", "5")


def test_filler_check_digit_only_for_an_all_filler_field() -> None:
    assert checkdigit.verifies("<<<<<<<<<<<<<<", "<")
    assert checkdigit.verifies("<<<<<<<<<<<<<<", "0")
    assert not checkdigit.verifies("123456782<<<<<", "<")


def test_alternative_reading_is_accepted() -> None:
    assert checkdigit.verifies("X", "9", "AB2134<<<") is False
    assert checkdigit.verifies("X", "5", "AB2134<<<")
