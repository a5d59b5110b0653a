"""Hand-off references are well formed, distinct, and catch typos."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.handoff.references import ALPHABET, is_valid_reference, new_reference


def test_references_are_valid_and_distinct() -> None:
    references = {new_reference() for _ in range(500)}
    assert len(references) == 500
    assert all(is_valid_reference(reference) for reference in references)


@given(position=st.integers(0, 7), replacement=st.sampled_from(ALPHABET))
def test_one_wrong_symbol_is_caught(position: int, replacement: str) -> None:
    reference = new_reference()
    symbols = reference[3:7] + reference[8:12]
    if symbols[position] == replacement:
        return
    typo = symbols[:position] + replacement + symbols[position + 1:]
    assert not is_valid_reference(f"PB-{typo[:4]}-{typo[4:]}-{reference[-1]}")
