"""OCR repair: one valid reading is repaired and reported, several are refused, valid is left."""

from __future__ import annotations

from kiosk.document.mrz import check
from kiosk.document.repair import repair
from tests.unit.document.mrz_samples import replace, td1, td2, td3


def test_valid_mrz_is_never_touched() -> None:
    assert repair(td3()).status == "not_needed"
    assert repair(td1()).status == "not_needed"


def test_letter_in_a_date_is_mapped_to_its_digit() -> None:
    good = td3()
    bad = replace(good, 1, 14, "S")  # birth 850315 -> 8S0315
    outcome = repair(bad)
    assert outcome.status == "repaired" and outcome.lines == good
    (item,) = outcome.repairs
    assert (item.kind, item.field, item.read, item.corrected) == (
        "ocr_confusion", "birth_date", "S", "5")


def test_digit_in_name_and_country_is_mapped_to_its_letter() -> None:
    good = td1(surname="BO")
    bad = replace(replace(good, 2, 1, "0"), 1, 17, "0")  # surname B0, nationality UT0
    outcome = repair(bad)
    assert outcome.status == "repaired" and outcome.lines == good
    assert {item.field for item in outcome.repairs} == {"names", "nationality"}


def test_confusion_in_document_number_uses_the_check_digit() -> None:
    good = td3()
    bad = replace(good, 1, 5, "O")  # L898902C3 -> L8989O2C3
    outcome = repair(bad)
    assert outcome.status == "repaired" and outcome.lines == good
    assert outcome.repairs[0].field == "document_number"


def test_two_fitting_corrections_are_refused() -> None:
    # B->8 at column 4 and 8->B at column 2 both restore the check digit: no way to choose.
    bad = replace(td3(), 1, 3, "B")
    outcome = repair(bad)
    assert outcome.status == "ambiguous" and outcome.candidates == 2 and outcome.lines is None


def test_case_and_filler_substitutes() -> None:
    good = td3()
    outcome = repair([good[0].lower().replace("<", " "), good[1].replace("<", "_")])
    assert outcome.status == "repaired" and outcome.lines == good
    kinds = {item.kind for item in outcome.repairs}
    assert kinds == {"case", "filler_substitute"}


def test_swapped_lines() -> None:
    good = td3()
    outcome = repair([good[1], good[0]])
    assert outcome.status == "repaired" and outcome.lines == good
    assert outcome.repairs[0].kind == "line_order"


def test_trailing_padding_beyond_the_width() -> None:
    good = td2()
    outcome = repair([good[0] + "__", good[1] + "  "])
    assert outcome.status == "repaired" and outcome.lines == good


def test_wrong_check_digit_is_not_a_reading_error() -> None:
    bad = replace(td3(), 1, 27, str((int(td3()[1][27]) + 3) % 10))
    assert repair(bad).status == "unrepairable"


def test_repaired_country_code_must_exist() -> None:
    # 'Q0Q' would become 'QOQ', which is no ICAO code: better unread than invented.
    bad = td3(issuing_state="QOQ")
    assert check(bad).valid
    assert repair(replace(bad, 0, 3, "0")).status == "unrepairable"


def test_repr_hides_the_corrected_lines() -> None:
    outcome = repair(replace(td3(), 1, 14, "S"))
    assert "HANSEN" not in repr(outcome) and "L898902C3" not in repr(outcome)


def test_line_terminators_are_padding() -> None:
    good = td3()
    outcome = repair([good[0] + "\r", good[1] + "\r\n"])
    assert outcome.status == "repaired" and outcome.lines == good
    assert {item.kind for item in outcome.repairs} == {"padding"}
