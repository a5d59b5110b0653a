"""The ESC/POS printer driver against the simulated printer on a real pty: the receipt that
comes out decodes to the right reference and QR code, the status queries name paper out, cover
open and errors, and garbage, silence and a pulled cable are named errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from drivers.receipt_printer import (
    SUBSTITUTES,
    EscPosReceiptPrinter,
    PrinterCoverOpenError,
    PrinterFaultError,
    PrinterGarbageError,
    PrinterPaperOutError,
    PrinterTimeoutError,
    PrinterUnpluggedError,
    SerialTransport,
    UsbTransport,
)
from drivers.receipt_raster import font_source
from kiosk.handoff.references import new_reference
from kiosk.i18n import LANGUAGES, translate
from kiosk.receipt import build_receipt, grouped
from simulator.printer import SimulatedPrinter

DAY = dt.date(2026, 11, 30)


@pytest.fixture
def sim() -> Iterator[SimulatedPrinter]:
    device = SimulatedPrinter("printer", pacing=False, seed=5)
    device.start()
    yield device
    device.stop()


def driver(sim: SimulatedPrinter, **layout: object) -> EscPosReceiptPrinter:
    return EscPosReceiptPrinter("printer", SerialTransport("printer", sim.path, baudrate=38400),
                                status_timeout=2.0, **layout)  # type: ignore[arg-type]


@pytest.fixture
def printer(sim: SimulatedPrinter) -> Iterator[EscPosReceiptPrinter]:
    device = driver(sim)
    device.open()
    yield device
    device.close()


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_receipt_comes_out_with_the_reference_large_and_in_its_qr_code(
        sim: SimulatedPrinter, printer: EscPosReceiptPrinter, language: str) -> None:
    reference = new_reference()
    receipt = build_receipt(reference, language, DAY)

    printer.print_receipt(receipt)

    out = sim.wait_receipt()
    assert out is not None
    assert out.qr_codes == (reference,)
    large = [line for line in out.lines if line.large]
    assert [(line.text, line.width) for line in large] == [(grouped(reference), 2)]
    assert out.text[0] == receipt.title
    assert receipt.date in out.text
    # The wrapped paragraphs read back as written (accents through the code pages).
    printed = " ".join(out.text)
    for paragraph in receipt.next_steps:
        assert paragraph in printed
    assert translate("receipt.keep", language) in printed


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_languages_receipt_comes_out_with_its_reference_and_qr_code(
        sim: SimulatedPrinter, language: str) -> None:
    # 58 mm paper (384 dots, 32 columns): Latin languages as text, Arabic and Ukrainian drawn.
    device = driver(sim, columns=32, dots=384)
    device.open()
    try:
        reference = new_reference()
        receipt = build_receipt(reference, language, DAY)
        device.print_receipt(receipt)
    finally:
        device.close()

    out = sim.wait_receipt()
    assert out is not None
    assert out.qr_codes == (reference,)
    assert [line.text for line in out.lines if line.large] == [grouped(reference)]
    assert "?" not in " ".join(out.text)
    if language in ("ar", "uk"):
        assert out.text == (grouped(reference),)
        assert len(out.rasters) == 5
        assert all(image.width == 384 and not image.blank for image in out.rasters)
    else:
        assert out.rasters == ()
        assert out.text[0] == receipt.title.translate(SUBSTITUTES)


def test_the_health_names_the_font_drawn_lines_use(sim: SimulatedPrinter,
                                                    printer: EscPosReceiptPrinter) -> None:
    assert printer.probe().extra["font"] == font_source()


def test_a_qr_code_sent_as_a_raster_image_decodes_too(sim: SimulatedPrinter) -> None:
    device = driver(sim, qr="image", qr_size=4)
    device.open()
    try:
        reference = new_reference()
        device.print_receipt(build_receipt(reference, "da", DAY))
    finally:
        device.close()
    out = sim.wait_receipt()
    assert out is not None and out.qr_codes == (reference,)


def test_a_healthy_printer_probes_ok_and_reports_a_nearly_empty_roll(
        sim: SimulatedPrinter, printer: EscPosReceiptPrinter) -> None:
    health = printer.probe()
    assert health.ok and health.extra["paper"] == "ok"

    sim.inject("paper_near_end")
    health = printer.probe()
    assert health.ok and health.extra["paper"] == "near_end"
    assert printer.status().paper_near_end


@pytest.mark.parametrize(("fault", "error", "code"), [
    ("paper_out", PrinterPaperOutError, "printer_paper_out"),
    ("cover_open", PrinterCoverOpenError, "printer_cover_open"),
    ("cutter_error", PrinterFaultError, "printer_error"),
])
def test_a_printer_that_cannot_print_says_why_and_nothing_is_lost_silently(
        sim: SimulatedPrinter, printer: EscPosReceiptPrinter, fault: str,
        error: type[Exception], code: str) -> None:
    sim.inject(fault)

    with pytest.raises(error) as raised:
        printer.print_receipt(build_receipt(new_reference(), "en", DAY))
    assert getattr(raised.value, "code", None) == code
    health = printer.probe()
    assert not health.ok and health.code == code
    assert sim.receipts == []

    sim.clear(fault)
    reference = new_reference()
    printer.print_receipt(build_receipt(reference, "en", DAY))
    out = sim.wait_receipt()
    assert out is not None and out.qr_codes == (reference,)


def test_paper_running_out_during_a_receipt_is_reported_after_it(
        sim: SimulatedPrinter, printer: EscPosReceiptPrinter) -> None:
    sim.load_script([{"on": "receipt", "fault": "paper_out"}])
    # The roll ends as this receipt is cut: the status after it says so.
    with pytest.raises(PrinterPaperOutError):
        printer.print_receipt(build_receipt(new_reference(), "en", DAY))


def test_garbage_on_the_line_is_a_named_error(sim: SimulatedPrinter,
                                              printer: EscPosReceiptPrinter) -> None:
    sim.inject("garbage", count=5)
    with pytest.raises(PrinterGarbageError) as raised:
        printer.status()
    assert raised.value.code == "printer_garbage"
    # The next exchange is clean again.
    assert printer.probe().ok


def test_a_silent_printer_times_out(sim: SimulatedPrinter, printer: EscPosReceiptPrinter
                                    ) -> None:
    sim.inject("silent")
    printer.status_timeout = 0.3
    with pytest.raises(PrinterTimeoutError) as raised:
        printer.print_receipt(build_receipt(new_reference(), "en", DAY))
    assert raised.value.code == "printer_timeout"


def test_a_pulled_cable_is_printer_unplugged_and_a_replug_prints_again(
        sim: SimulatedPrinter, printer: EscPosReceiptPrinter) -> None:
    sim.inject("unplug")
    with pytest.raises(PrinterUnpluggedError) as raised:
        printer.print_receipt(build_receipt(new_reference(), "en", DAY))
    assert raised.value.code == "printer_unplugged"
    assert printer.probe().code == "printer_unplugged"

    sim.clear("unplug")
    printer.open()  # a staff self-test reconnects at once
    reference = new_reference()
    printer.print_receipt(build_receipt(reference, "en", DAY))
    out = sim.wait_receipt()
    assert out is not None and out.qr_codes == (reference,)


def test_a_printer_that_is_not_there_is_unplugged(sim: SimulatedPrinter) -> None:
    device = EscPosReceiptPrinter("printer", SerialTransport(
        "printer", sim.path + "-missing", baudrate=38400))
    with pytest.raises(PrinterUnpluggedError):
        device.open()
    assert device.probe().code == "printer_unplugged"


def test_an_unknown_printer_profile_is_named(sim: SimulatedPrinter) -> None:
    device = driver(sim, profile="no-such-printer")
    device.open()
    try:
        health = device.probe()
    finally:
        device.close()
    assert not health.ok and health.code == "printer_error" and "profile" in health.detail


def test_a_usb_printer_without_pyusb_or_the_device_is_unplugged_in_one_line() -> None:
    # USB goes through python-escpos's Usb printer; without pyusb (or without the printer on
    # the bus) it is a named error, never an ImportError or a traceback.
    device = EscPosReceiptPrinter("printer", UsbTransport("printer", 0x04B8, 0x0E15))
    with pytest.raises(PrinterUnpluggedError) as raised:
        device.open()
    assert raised.value.code == "printer_unplugged"
    assert "\n" not in raised.value.detail
    health = device.probe()
    assert not health.ok and health.code == "printer_unplugged"
