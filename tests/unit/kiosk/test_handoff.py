"""Hand-off references are well formed and catch typos; the outbox forgets after retention."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.handoff import ALPHABET, MemoryOutbox, is_valid_reference, new_reference


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


def test_outbox_keeps_until_collected_or_expired() -> None:
    now = [0.0]
    outbox = MemoryOutbox(retention_s=100, clock=lambda: now[0])
    first = outbox.put({"surname": "X"}, b"photo", b"prints", b"sig")
    second = outbox.put({"surname": "Y"}, b"photo", b"prints", b"sig")
    application = outbox.collect(first)
    assert application is not None and application.holder == {"surname": "X"}
    assert outbox.collect(first) is None
    now[0] = 101
    assert len(outbox) == 0 and outbox.collect(second) is None


def test_application_repr_hides_data() -> None:
    outbox = MemoryOutbox(retention_s=100)
    reference = outbox.put({"surname": "SECRETNAME"}, b"", b"", b"")
    assert "SECRETNAME" not in repr(outbox.collect(reference))
