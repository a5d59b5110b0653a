"""The receipt, end to end on the simulator: the completed application's receipt decodes to its
reference and QR code and carries nothing else about the citizen; with the roll empty the
citizen still completes, is asked to write the number down, and staff see the fault; an
Arabic or Ukrainian citizen's receipt is drawn (no code page) and still decodes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.composition import Kiosk, build_kiosk
from kiosk.i18n import translate
from kiosk.receipt import grouped
from kiosk.service.messages import DeviceHealth, Message, ReceiptNotPrinted, StateChanged
from kiosk.workflow import State
from kiosk.workflow.events import SetLanguage
from simulator.play import SimulationSummary, play
from simulator.printer import SimulatedPrinter
from simulator.scenario import Scenario, load_scenario
from tests.helpers.kiosk import sim_config, wait_until


@contextmanager
def played(name: str, *printer_faults: tuple[str, float]
           ) -> Iterator[tuple[Kiosk, Scenario, SimulationSummary, list[Message]]]:
    """Play scenario ``name`` on a simulated kiosk; the messages heard on the way.
    ``printer_faults``: ``(fault, delay)`` injected in the printer before the visit."""
    scenario = load_scenario(name)
    kiosk = build_kiosk(sim_config(), scenario)
    heard: list[Message] = []
    kiosk.service.bus.subscribe(heard.append)
    for fault, delay in printer_faults:
        printer_of(kiosk).inject(fault, delay=delay)
    try:
        summary = asyncio.run(play(kiosk, scenario))
        yield kiosk, scenario, summary, heard
    finally:
        kiosk.close()


@contextmanager
def played_in(language: str) -> Iterator[tuple[Kiosk, SimulationSummary, list[Message]]]:
    """The happy visit, the citizen switching to ``language`` on the summary screen (the
    chrome's language button is on every screen)."""
    scenario = load_scenario("happy")
    kiosk = build_kiosk(sim_config(), scenario)
    heard: list[Message] = []
    switched: list[object] = []

    def hear(message: Message) -> None:
        heard.append(message)
        if (isinstance(message, StateChanged) and message.new is State.SUMMARY
                and not switched):
            switched.append(kiosk.service.send(SetLanguage(language)))

    kiosk.service.bus.subscribe(hear)
    try:
        summary = asyncio.run(play(kiosk, scenario))
        yield kiosk, summary, heard
    finally:
        kiosk.close()


def printer_of(kiosk: Kiosk) -> SimulatedPrinter:
    assert kiosk.simulation is not None
    printer = kiosk.simulation.world.printer
    assert printer is not None
    return printer


def test_the_completed_applications_receipt_decodes_to_its_reference_and_qr() -> None:
    with played("happy") as (kiosk, scenario, summary, heard):
        assert summary.completed, summary
        reference = summary.reference
        assert reference is not None
        printer = printer_of(kiosk)
        wait_until(lambda: printer.last_receipt is not None,
                   lambda: f"no receipt; printer faults {printer.faults_met}", timeout=30)
        receipt = printer.last_receipt
        assert receipt is not None
        assert receipt.qr_codes == (reference,)
        assert [line.text for line in receipt.lines if line.large] == [grouped(reference)]
        assert translate("receipt.title", scenario.language) in receipt.text
        printed = "\n".join(receipt.text).upper()
        passport = scenario.passport
        for personal in (passport.surname, *passport.given_names.split(), passport.number):
            assert personal.upper() not in printed
        wait_until(lambda: any(isinstance(m, DeviceHealth) and m.device == "printer"
                               for m in heard), lambda: heard[-5:], timeout=30)
        health = [m for m in heard if isinstance(m, DeviceHealth) and m.device == "printer"]
        assert [m.ok for m in health] == [True]
        assert not any(isinstance(m, ReceiptNotPrinted) for m in heard)
        assert not kiosk.service.receipt_failed


def test_paper_out_the_citizen_completes_writes_the_number_down_and_staff_see_it() -> None:
    with played("printer-paper-out") as (kiosk, scenario, summary, heard):
        assert summary.completed, summary
        assert "printer:paper_out" in summary.faults
        assert printer_of(kiosk).receipts == []
        faults = [m for m in heard if isinstance(m, DeviceHealth) and m.device == "printer"]
        assert [(m.ok, m.code) for m in faults] == [(False, "printer_paper_out")]
        # The citizen was told on the done screen, after the reference was shown.
        notices = [m for m in heard if isinstance(m, ReceiptNotPrinted)]
        assert [m.code for m in notices] == ["printer_paper_out"]
        done_at = next(i for i, m in enumerate(heard)
                       if isinstance(m, StateChanged) and m.new is State.DONE)
        left_at = next(i for i, m in enumerate(heard)
                       if isinstance(m, StateChanged) and m.old is State.DONE)
        assert done_at < heard.index(notices[0]) < left_at
        # The audit trail names the fault by its code.
        trail = kiosk.service.trail
        assert trail is not None
        assert any(line.get("event") == "receipt_not_printed"
                   and line.get("result") == "printer_paper_out" for line in trail.lines())


def test_a_slow_printer_never_holds_the_citizen_up() -> None:
    # Every status answer takes 0.4 s: a receipt takes seconds. The done screen (with the
    # reference) comes first, and the receipt still comes out after it.
    with played("happy", ("slow", 0.4)) as (kiosk, _scenario, summary, heard):
        assert summary.completed, summary
        printer = printer_of(kiosk)
        wait_until(lambda: any(isinstance(m, DeviceHealth) and m.device == "printer"
                               for m in heard), lambda: heard[-5:], timeout=60)
        done_at = next(i for i, m in enumerate(heard)
                       if isinstance(m, StateChanged) and m.new is State.DONE)
        printed_at, health = next((i, m) for i, m in enumerate(heard)
                                  if isinstance(m, DeviceHealth) and m.device == "printer")
        assert done_at < printed_at
        assert health.ok
        receipt = printer.last_receipt
        assert receipt is not None and receipt.qr_codes == (summary.reference,)


@pytest.mark.parametrize("language", ["ar", "uk"])
def test_an_arabic_or_ukrainian_citizens_receipt_is_drawn_and_decodes(language: str) -> None:
    with played_in(language) as (kiosk, summary, heard):
        assert summary.completed, summary
        printer = printer_of(kiosk)
        wait_until(lambda: any(isinstance(m, DeviceHealth) and m.device == "printer"
                               for m in heard), lambda: heard[-5:], timeout=60)
        assert not any(isinstance(m, ReceiptNotPrinted) for m in heard)
        receipt = printer.last_receipt
        assert receipt is not None
        assert receipt.qr_codes == (summary.reference,)
        # The reference is the printer's own text; everything in the citizen's language is
        # drawn (no '?' or mojibake from a code page), as wide as the configured paper.
        assert receipt.text == (grouped(summary.reference or ""),)
        assert len(receipt.rasters) == 5
        assert all(not image.blank for image in receipt.rasters)
        assert len({image.width for image in receipt.rasters}) == 1
