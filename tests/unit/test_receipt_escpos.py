"""The simulator's ESC/POS parser, by property: any bytes in any chunks never break it and read
the same as in one piece; every receipt the driver encodes reads back to its texts, its large
reference and its QR payload; status queries are found wherever they fall between commands;
and every language's receipt prints without a lost character."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.interfaces import Receipt
from drivers.receipt_printer import DLE_EOT, SUBSTITUTES, encode_receipt
from kiosk.handoff.references import ALPHABET, check_symbol, new_reference
from kiosk.i18n import LANGUAGES
from kiosk.receipt import build_receipt, grouped
from simulator.printer import EscPosParser, PrintedReceipt

#: Letters the kiosk's languages print with Latin code pages (en, da, de, tr, pl...).
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789æøåÆØÅäöüÄÖÜßéçğışŞł"
WORD = st.text(LETTERS + ".,:-", min_size=1, max_size=15)
PARAGRAPH = st.lists(WORD, min_size=1, max_size=25).map(" ".join)


@st.composite
def references(draw: st.DrawFn) -> str:
    symbols = "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=8, max_size=8)))
    return f"PB-{symbols[:4]}-{symbols[4:]}-{check_symbol(symbols)}"


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    reference = draw(references())
    return Receipt(language="da", title=draw(PARAGRAPH), reference_label=draw(PARAGRAPH),
                   reference=grouped(reference), qr_payload=reference, date=draw(PARAGRAPH),
                   next_steps=tuple(draw(st.lists(PARAGRAPH, min_size=1, max_size=3))))


@dataclass
class Read:
    receipts: list[PrintedReceipt]
    pending: PrintedReceipt
    queries: list[int]


def read(chunks: list[bytes]) -> Read:
    parser = EscPosParser()
    for chunk in chunks:
        parser.feed(chunk)
    return Read(parser.receipts, parser.pending, parser.status_queries)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@given(st.binary(max_size=600), st.lists(st.integers(0, 10_000), max_size=12))
def test_any_bytes_in_any_chunks_read_as_in_one_piece(data: bytes, cuts: list[int]) -> None:
    assert read(split(data, cuts)) == read([data])


@given(receipts(), st.sampled_from([20, 32, 42, 48]), st.lists(st.integers(0, 10_000),
                                                                max_size=8))
def test_every_encoded_receipt_reads_back(receipt: Receipt, columns: int,
                                          cuts: list[int]) -> None:
    data = encode_receipt(receipt, columns=columns, profile="TM-T20II")

    result = read(split(data, cuts))

    assert len(result.receipts) == 1
    out = result.receipts[0]
    assert out.qr_codes == (receipt.qr_payload,)
    assert [line.text for line in out.lines if line.large] == [receipt.reference]
    printed = " ".join(out.text)
    for text in (receipt.title, receipt.reference_label, receipt.date, *receipt.next_steps):
        assert text in printed
    assert all(len(line.text) * line.width <= columns for line in out.lines)


@given(receipts(), st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 4)),
                            max_size=6))
def test_status_queries_between_commands_are_all_found(
        receipt: Receipt, queries: list[tuple[int, int]]) -> None:
    # Insert the queries between the encoder's own commands (python-escpos writes each
    # command as one piece, so piece boundaries are command boundaries).
    from escpos.printer import Dummy

    dummy = Dummy(profile="TM-T20II")
    dummy.textln(receipt.title)
    dummy.qr(receipt.qr_payload, native=True)
    dummy.cut()
    pieces = list(dummy._output_list)  # noqa: SLF001 - the library's command pieces
    placed = sorted((at % (len(pieces) + 1), n) for at, n in queries)
    stream = bytearray()
    asked: list[int] = []
    for index in range(len(pieces) + 1):
        for at, n in placed:
            if at == index:
                stream += DLE_EOT + bytes([n])
                asked.append(n)
        if index < len(pieces):
            stream += pieces[index]

    result = read([bytes(stream)])

    assert result.queries == asked
    assert result.receipts[0].qr_codes == (receipt.qr_payload,)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_language_prints_without_losing_a_character(language: str) -> None:
    # The printer's code pages (chosen per character by python-escpos) carry every letter of
    # the translated receipt; the few no code page has are printed as their usual stand-ins.
    receipt = build_receipt(new_reference(), language, dt.date(2026, 11, 30))

    out = read([encode_receipt(receipt, profile="TM-T20II")]).receipts[0]

    printed = " ".join(out.text)
    assert "?" not in printed
    for text in (receipt.title, receipt.date, *receipt.next_steps):
        assert " ".join(text.translate(SUBSTITUTES).split()) in printed
