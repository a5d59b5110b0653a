"""The strict Doc 9303 check: fields, every error code, and no exception on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.document.checkdigit import compute
from kiosk.document.compose import compose
from kiosk.document.mrz import check
from tests.unit.document.mrz_samples import replace, td1, td2, td3


def test_valid_td3_fields() -> None:
    result = check(td3())
    assert result.valid and result.format == "TD3"
    assert result.fields == {
        "document_code": "P", "issuing_state": "UTO", "surname": "HANSEN",
        "given_names": "JENS PETER", "document_number": "L898902C3", "nationality": "UTO",
        "birth_date": "850315", "sex": "M", "expiry_date": "300101", "optional_data": "ZE184226B",
    }


def test_repr_hides_personal_data() -> None:
    assert "HANSEN" not in repr(check(td3()))
    assert "L898902C3" not in repr(check(td3()))


@pytest.mark.parametrize(
    ("line", "col", "char", "code"),
    [
        (1, 9, "+", "check_digit_document_number"),
        (1, 19, "+", "check_digit_birth_date"),
        (1, 27, "+", "check_digit_expiry_date"),
        (1, 42, "+", "check_digit_optional"),
        (1, 43, "+", "check_digit_composite"),
        (1, 20, "Q", "sex_invalid"),
        (1, 10, "0", "country_code_invalid"),
        (0, 3, "7", "country_code_invalid"),
        (0, 6, "4", "name_invalid"),
        (0, 0, "X", "document_code_invalid"),
        (1, 15, "1", "date_invalid"),
        (0, 7, "*", "charset"),
    ],
)
def test_each_error_code(line: int, col: int, char: str, code: str) -> None:
    lines = td3()
    if char == "+":  # a wrong check digit: the printed one plus one
        char = str((int(lines[line][col]) + 1) % 10)
    result = check(replace(lines, line, col, char))
    assert code in result.errors
    assert not result.valid


@pytest.mark.parametrize(
    "lines", [[], ["P<UTO"], ["A" * 44, "B" * 44, "C" * 44], ["A" * 44, "B" * 36]]
)
def test_length(lines: list[str]) -> None:
    result = check(lines)
    assert result.errors == ("length",) and result.fields is None


def test_unknown_country_is_a_warning_only() -> None:
    result = check(td3(issuing_state="QQQ"))
    assert result.valid and result.warnings == ("country_code_unknown",)


@pytest.mark.parametrize("code", ["UTO", "D", "XXA", "XXB", "XXC", "XXX", "DNK"])
def test_special_codes_are_known(code: str) -> None:
    result = check(td3(nationality=code))
    assert result.valid and not result.warnings


def test_empty_optional_data_with_filler_or_zero_check_digit() -> None:
    lines = td3(optional_data="")
    assert lines[1][42] == "<" and check(lines).valid
    assert check(replace(lines, 1, 42, "0")).valid


def test_non_empty_optional_data_may_not_have_filler_check_digit() -> None:
    assert "check_digit_optional" in check(replace(td3(), 1, 42, "<")).errors


def test_td1_long_document_number() -> None:
    lines = td1(document_number="D23145890734", optional_data="AB")
    assert lines[0][14] == "<"
    result = check(lines)
    assert result.valid
    assert result.fields is not None
    assert result.fields["document_number"] == "D23145890734"
    assert result.fields["optional_data"] == "AB"


def test_td1_long_number_older_belgian_check_digit() -> None:
    # The digit computed over the number with the filler at position 15 included.
    number, ext = "600001795", "01"
    digit = str(compute(number + "<" + ext))
    lines = list(td1())
    lines[0] = (lines[0][:5] + number + "<" + ext + digit + "<").ljust(30, "<")
    body = lines[0][5:30] + lines[1][0:7] + lines[1][8:15] + lines[1][18:29]
    lines[1] = lines[1][:29] + str(compute(body))
    assert check(lines).valid


def test_td2_long_document_number() -> None:
    result = check(td2(document_number="12345678910"))
    assert result.valid and result.fields and result.fields["document_number"] == "12345678910"


def test_visa_layouts() -> None:
    base = {"document_code": "V", "issuing_state": "UTO", "surname": "A", "given_names": "B",
            "document_number": "X1", "nationality": "UTO", "birth_date": "740812", "sex": "F",
            "expiry_date": "120415", "optional_data": "ABC"}
    assert check(compose("MRV-A", base)).format == "MRV-A"
    assert check(compose("MRV-B", base)).format == "MRV-B"


@pytest.mark.parametrize(
    ("birth", "valid"),
    [("000229", True), ("010229", False), ("7408<<", True), ("74<<12", True),
     ("<<<<<<", True), ("7408<2", False), ("741301", False), ("740800", False)],
)
def test_birth_dates(birth: str, valid: bool) -> None:
    lines = list(td3())
    body = lines[1]
    digit = compute(birth)
    lines[1] = body[:13] + birth + str(digit) + body[20:]
    composite = compute(lines[1][0:10] + lines[1][13:20] + lines[1][21:43])
    lines[1] = lines[1][:43] + str(composite)
    assert ("date_invalid" not in check(lines).errors) is valid


def test_expiry_may_not_be_unknown() -> None:
    lines = list(td3())
    lines[1] = lines[1][:21] + "<<<<<<<" + lines[1][28:]
    assert check(lines).errors == ("date_invalid", "check_digit_composite")


def test_names_split_on_double_filler() -> None:
    fields = check(td3(surname="DE BRUIJN", given_names="")).fields
    assert fields and fields["surname"] == "DE BRUIJN" and fields["given_names"] == ""
    fields = check(td3(surname="", given_names="ANNA")).fields
    assert fields and fields["surname"] == "" and fields["given_names"] == "ANNA"


def test_lower_case_and_spaces_are_charset_errors() -> None:
    lines = td3()
    result = check([lines[0].lower(), lines[1]])
    assert {"charset", "name_invalid", "document_code_invalid"} <= set(result.errors)
    spaced = check([lines[0].replace("<", " "), lines[1]])
    assert "charset" in spaced.errors and "name_invalid" not in spaced.errors


@pytest.mark.parametrize(
    "junk", [["\x00" * 44, "é" * 44], ["<" * 30] * 3, [""] * 2, ["V" * 36] * 2]
)
def test_never_raises(junk: list[str]) -> None:
    assert not check(junk).valid


def test_valid_score() -> None:
    assert check(td3()).valid_score == 100
    assert 0 < check(replace(td3(), 1, 14, "S")).valid_score < 100
    assert check(["P<UTO"]).valid_score == 0


def test_core_never_logs() -> None:
    # The parsed MRZ is personal data: the core modules neither log nor print it.
    root = Path(__file__).parents[3] / "kiosk" / "document"
    for path in root.glob("*.py"):
        source = path.read_text()
        assert "import logging" not in source, path
        if path.name not in ("commands.py", "report.py"):
            assert "print(" not in source, path
