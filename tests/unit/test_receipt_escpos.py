"""The simulator's ESC/POS parser, by property: any bytes in any chunks never break it and read
the same as in one piece; every receipt the driver encodes reads back to its texts, its large
reference and its QR payload; status queries are found wherever they fall between commands;
every Latin language prints as text without a lost character, and Arabic and Ukrainian
are drawn as raster images as wide as the paper, the reference and QR code unchanged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.interfaces import Receipt
from drivers.receipt_printer import (
    DLE_EOT,
    SUBSTITUTES,
    encode_receipt,
    paper_dots,
    printable,
    text_encoder,
)
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


#: Languages whose letters are all in the DOS code pages every printer has.
LATIN = ("da", "en", "de", "pl", "ro", "tr")
#: Languages drawn: Arabic (no code page joins and orders it) and Ukrainian (no Cyrillic
#: code page on many printers).
DRAWN = ("ar", "uk")


def test_the_languages_are_all_covered() -> None:
    assert sorted(LATIN + DRAWN) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LATIN)
def test_a_latin_language_prints_as_text_without_losing_a_character(language: str) -> None:
    # The code pages python-escpos picks (among the DOS ones) carry every letter of the
    # translated receipt; the few no code page has are printed as their usual stand-ins.
    receipt = build_receipt(new_reference(), language, dt.date(2026, 11, 30))

    out = read([encode_receipt(receipt, profile="TM-T20II")]).receipts[0]

    printed = " ".join(out.text)
    assert "?" not in printed
    assert out.rasters == ()
    for text in (receipt.title, receipt.reference_label, receipt.date, *receipt.next_steps):
        assert " ".join(text.translate(SUBSTITUTES).split()) in printed


@pytest.mark.parametrize("letter", "æøåÆØÅßäöüÄÖÜéèêłŁąęćńśźżĄĘĆŃŚŹŻăâîĂÂÎșțȘȚşţğĞıİŞçÇ·")
def test_every_letter_of_the_latin_languages_goes_through_a_code_page(letter: str) -> None:
    # python-escpos's tables and the code page the simulator reads with (Python's codec for
    # the ESC t number) agree on every letter: the printed letter is the one sent (or, for
    # Romanian's comma-below letters, their cedilla stand-ins).
    encoder = text_encoder("TM-T20II")
    assert printable(letter, encoder)
    receipt = Receipt(language="ro", title=f"x{letter}x", reference_label="Ref",
                      reference="PB · 7K3Q · 9XM2 · T", qr_payload="PB-7K3Q-9XM2-T",
                      date="1", next_steps=(f"{letter}{letter}",))

    out = read([encode_receipt(receipt, profile="TM-T20II")]).receipts[0]

    expected = letter.translate(SUBSTITUTES)
    assert out.text[0] == f"x{expected}x"
    assert f"{expected}{expected}" in out.text
    assert out.rasters == ()


def test_the_danish_receipt_keeps_its_letters_as_text() -> None:
    reference = new_reference()
    receipt = build_receipt(reference, "da", dt.date(2026, 11, 30))
    receipt = replace(receipt, next_steps=(*receipt.next_steps, "Bæredygtig øl på Ærø og Åbo."))

    out = read([encode_receipt(receipt, profile="TM-T20II", dots=384, columns=32)]).receipts[0]

    printed = " ".join(out.text)
    assert out.rasters == () and out.images == 0
    assert "Bæredygtig øl på Ærø og Åbo." in printed
    assert "Ansøgt den 30. november 2026" in printed
    assert "Du får besked" in printed


@pytest.mark.parametrize("language", DRAWN)
@pytest.mark.parametrize(("dots", "columns"), [(384, 32), (576, 42)])
def test_arabic_and_ukrainian_are_drawn_as_wide_as_the_paper(language: str, dots: int,
                                                             columns: int) -> None:
    reference = new_reference()
    receipt = build_receipt(reference, language, dt.date(2026, 11, 30))

    out = read([encode_receipt(receipt, profile="TM-T20II", dots=dots,
                               columns=columns)]).receipts[0]

    # Title, label, date and the two paragraphs of what happens next: one image each, as
    # wide as the paper, none blank; no letter went through a code page as mojibake or '?'.
    paragraphs = (receipt.title, receipt.reference_label, receipt.date, *receipt.next_steps)
    assert len(out.rasters) == len(paragraphs)
    assert all(image.width == dots and not image.blank for image in out.rasters)
    assert all(0.01 < image.ink < 0.5 for image in out.rasters)
    # Longer paragraphs are drawn taller (more lines), not squeezed.
    heights = [image.height for image in out.rasters]
    lengths = [len(text) for text in paragraphs]
    assert heights[lengths.index(max(lengths))] == max(heights) > min(heights)
    # The reference and its QR code are the printer's own, unchanged.
    assert out.text == (grouped(reference),)
    assert [line.text for line in out.lines if line.large] == [grouped(reference)]
    assert out.qr_codes == (reference,)


@pytest.mark.parametrize("language", DRAWN)
def test_a_drawn_receipt_with_its_qr_code_drawn_too_reads_back(language: str) -> None:
    reference = new_reference()
    receipt = build_receipt(reference, language, dt.date(2026, 11, 30))

    out = read([encode_receipt(receipt, profile="TM-T20II", qr="image", qr_size=4)]
               ).receipts[0]

    assert out.qr_codes == (reference,)
    assert len(out.rasters) == 5 and out.images == 5


def test_the_paper_width_comes_from_the_printer_profile() -> None:
    assert paper_dots("TM-T20II", 42) == 576
    assert paper_dots("POS-5890", 32) == 384
    # A profile that does not know its paper: 12-dot characters times the columns.
    assert paper_dots(None, 32) == 384


def test_a_paragraph_with_a_letter_no_code_page_has_is_drawn_whole_not_printed_as_a_query(
        ) -> None:
    # Curly quotes are in no DOS code page: the paragraph is drawn; its neighbours stay text.
    reference = new_reference()
    receipt = replace(build_receipt(reference, "en", dt.date(2026, 11, 30)),
                      next_steps=("Pay 10 € at the desk.", "Show the “code” when you pay."))

    out = read([encode_receipt(receipt, profile="TM-T20II")]).receipts[0]

    printed = " ".join(out.text)
    assert "?" not in printed
    assert "Pay 10 € at the desk." in printed  # the euro sign is in CP858
    assert "code" not in printed
    assert len(out.rasters) == 1 and not out.rasters[0].blank
    assert out.qr_codes == (reference,)
