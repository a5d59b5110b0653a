"""The developer panel drives a real simulation through its developer controls, and serial
traffic is formatted readably."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Button, Log, Select, Static

from drivers.interfaces import SignaturePad
from drivers.r30x_protocol import CODE, Instruction, ack, command, data_packets
from kiosk.config import DevicesSettings, KioskConfig, SimulatorSettings
from kiosk.devices import default_registry
from kiosk.service.devtools import DeveloperControls
from kiosk.ui.widgets.dev_panel import _CHOICES, EYES_STEP_MM, DevPanel, parse_params
from simulator import devtools
from simulator.attach import Simulation
from simulator.pty_device import TrafficEntry
from simulator.scenario import load_scenario
from simulator.traffic_format import format_entry
from simulator.world import SimulatedWorld
from tests.helpers.kiosk import async_wait_until

KIOSK_CSS = Path(__file__).parents[3] / "kiosk" / "ui" / "kiosk.tcss"


class PanelApp(App[None]):
    """The panel beside a kiosk-like chrome, under the kiosk's own style sheet."""

    CSS_PATH = KIOSK_CSS
    # What kiosk.tcss should say so the kiosk's docked bars make room for the panel.
    CSS = """
    Screen.-dev-panel #chrome { padding: 0 46 0 1; }
    Screen.-dev-panel .actions { padding: 1 46 1 2; }
    """

    def __init__(self, controls: DeveloperControls) -> None:
        super().__init__()
        self.controls = controls

    def compose(self) -> ComposeResult:
        yield Horizontal(Static("Step 1 of 5", classes="step"), Button("Help", id="help"),
                         id="chrome")
        yield Horizontal(*(Button(label, id=label) for label in ("back", "retry", "next")),
                         classes="actions")
        yield DevPanel(self.controls)

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.active_effect_duration = 0  # clicks in quick succession all count


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[Simulation, DevicesSettings, SignaturePad]]:
    """One simulation for the module, started as the kiosk starts it (no citizen)."""
    config = KioskConfig(simulator=SimulatorSettings(pacing=False, auto_citizen=False))
    simulation = Simulation(load_scenario("happy"), config)
    registry = default_registry()
    settings = simulation.start(registry)
    try:
        yield simulation, settings, registry.build(settings).signature
    finally:
        simulation.stop()


@pytest.fixture
def simulation(started: tuple[Simulation, DevicesSettings, SignaturePad]
               ) -> Iterator[Simulation]:
    """The module's simulation, as new: no faults, no document, no finger, its persona."""
    simulation = started[0]
    yield simulation
    controls = simulation.controls
    controls.clear_all()
    controls.remove_passport()
    controls.lift_finger()
    simulation.set_persona(simulation.scenario.persona)
    _CHOICES.pop(controls, None)


@pytest.fixture
def world(simulation: Simulation) -> SimulatedWorld:
    """The simulated devices behind the controls, to check what the panel did."""
    return simulation.world


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 60.0
                ) -> None:
    """Let the app run until ``condition`` holds (a hang guard, not a time limit)."""
    await async_wait_until(condition, lambda: "the panel never showed it", timeout)


async def test_insert_sends_the_document_and_shows_it_in_the_traffic_log(
    simulation: Simulation, world: SimulatedWorld,
) -> None:
    async with PanelApp(simulation.controls).run_test(size=(120, 60)) as pilot:
        await pilot.click("#dev-insert")
        await until(pilot, lambda: any(e.direction == "tx" for e in world.scanner.traffic))
        log = pilot.app.query_one("#dev-traffic", Log)
        await until(pilot, lambda: any(" scanner tx " in line for line in log.lines))
        line = next(line for line in log.lines if " scanner tx " in line)
        assert len(line) <= 40 and "|" in line
        await pilot.click("#dev-remove")


async def test_a_scanner_fault_is_injected_and_cleared(
    simulation: Simulation, world: SimulatedWorld
) -> None:
    async with PanelApp(simulation.controls).run_test(size=(120, 60)) as pilot:
        app = pilot.app
        app.query_one("#dev-fault-name", Select).value = "slow"
        app.query_one("#dev-fault-params").value = "delay=0.1"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.click("#dev-inject")
        assert world.scanner.active_faults == {"slow": {"delay": 0.1}}
        assert "scanner:slow" in str(app.query_one("#dev-faults", Static).render())
        await pilot.click("#dev-clear")
        assert world.scanner.active_faults == {}
        await pilot.click("#dev-inject")
        await pilot.click("#dev-insert")
        await until(pilot, lambda: "scanner:slow" in world.faults_met())
        await pilot.click("#dev-clear-all")
        assert simulation.controls.active_faults() == []


async def test_unplug_buttons_toggle(
    simulation: Simulation, world: SimulatedWorld,
    started: tuple[Simulation, DevicesSettings, SignaturePad],
) -> None:
    pad = started[2]
    async with PanelApp(simulation.controls).run_test(size=(120, 60)) as pilot:
        button = pilot.app.query_one("#dev-scanner-unplug", Button)
        await pilot.click("#dev-scanner-unplug")
        assert not world.scanner.plugged and str(button.label) == "Replug"
        await pilot.click("#dev-scanner-unplug")
        assert world.scanner.plugged and str(button.label) == "Unplug"
        await pilot.click("#dev-camera-freeze")
        assert "freeze" in world.camera.active_faults
        await pilot.click("#dev-camera-freeze")
        await pilot.click("#dev-signature-unplug")
        assert not pad.probe().ok
        await pilot.click("#dev-signature-unplug")
        assert pad.probe().ok
        assert world.camera.active_faults == {}
        assert "scanner:unplug" in world.faults_met()


async def test_place_and_lift_a_finger(
    simulation: Simulation, world: SimulatedWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[int, int, str, int]] = []

    def finger(seed: int, position: int, condition: str, attempt: int) -> np.ndarray:
        made.append((seed, position, condition, attempt))
        return np.full((400, 500), 128, np.uint8)

    monkeypatch.setattr(devtools, "persona_finger", finger)  # real prints take seconds
    attempt = simulation.controls.fingers_placed + 1
    async with PanelApp(simulation.controls).run_test(size=(120, 60)) as pilot:
        pilot.app.query_one("#dev-finger", Select).value = 7
        pilot.app.query_one("#dev-condition", Select).value = "dry"
        await pilot.pause()
        await pilot.click("#dev-place")
        await until(pilot, lambda: world.fingerprint.finger_present)
        await pilot.click("#dev-lift")
        assert not world.fingerprint.finger_present
        assert made == [(7, 7, "dry", attempt)]
        assert f"{attempt} placed" in str(pilot.app.query_one("#dev-finger-status",
                                                               Static).render())


async def test_taller_and_lower_move_the_citizens_eyes(
    simulation: Simulation, world: SimulatedWorld
) -> None:
    before = world.camera.eyes_above_camera_mm
    async with PanelApp(simulation.controls).run_test(size=(120, 60)) as pilot:
        await pilot.click("#dev-eyes-up")
        await pilot.click("#dev-eyes-up")
        await pilot.click("#dev-eyes-down")
        assert world.camera.eyes_above_camera_mm == before + EYES_STEP_MM
        await until(pilot, lambda: f"eyes {before + EYES_STEP_MM:+.0f} mm" in str(
            pilot.app.query_one("#dev-camera-status", Static).render()))


async def test_sign(
    simulation: Simulation, started: tuple[Simulation, DevicesSettings, SignaturePad]
) -> None:
    pad = started[2]  # the driver's side, as the kiosk's signature step has it
    pad.open()
    async with PanelApp(simulation.controls).run_test(size=(120, 60)) as pilot:
        await pilot.click("#dev-sign")
    signature = pad.capture(0.5)
    assert signature is not None and signature.strokes


async def test_persona_and_choices_survive_a_new_panel(
    simulation: Simulation, world: SimulatedWorld
) -> None:
    async with PanelApp(simulation.controls).run_test(size=(120, 60)) as pilot:
        pilot.app.query_one("#dev-persona", Select).value = "tilted"
        pilot.app.query_one("#dev-fault-device", Select).value = "camera"
        await pilot.pause()
        assert world.camera.persona.name == "tilted"
        assert pilot.app.query_one("#dev-fault-name", Select).value == "freeze"
        await pilot.app.query_one(DevPanel).remove()
        assert not pilot.app.screen.has_class("-dev-panel")
        await pilot.app.mount(DevPanel(simulation.controls))
        await pilot.pause()
        assert pilot.app.query_one("#dev-fault-device", Select).value == "camera"
        assert pilot.app.query_one("#dev-persona", Select).value == "tilted"
        simulation.set_persona("dark")  # as a scenario step does
        pilot.app.query_one(DevPanel).refresh_panel()
        await pilot.pause()
        assert pilot.app.query_one("#dev-persona", Select).value == "dark"
        assert world.camera.persona.name == "dark"


async def test_panel_docks_clear_of_the_kiosk_bars(simulation: Simulation) -> None:
    async with PanelApp(simulation.controls).run_test(size=(140, 60)) as pilot:
        panel = pilot.app.query_one(DevPanel)
        assert panel.region == Region(140 - 44, 0, 44, 60)
        for button in ("#help", "#back", "#retry", "#next"):
            assert not pilot.app.query_one(button).region.overlaps(panel.region)
        assert pilot.app.query_one("#dev-insert", Button).region.height == 1


def test_parse_params() -> None:
    assert parse_params("delay=2 fps=2.5 mode=stall") == {"delay": 2, "fps": 2.5, "mode": "stall"}
    with pytest.raises(ValueError):
        parse_params("delay")


def test_format_entry_dumps_hex_and_ascii_within_the_width() -> None:
    entry = TrafficEntry(12.5, "tx", b"P<DNKHANSEN<<METTE\r")
    assert format_entry("scanner", entry, 0.25) == "12.250 scanner tx 50 3c 44 4e… |P<DN…|"
    short = format_entry("scanner", TrafficEntry(1.0, "rx", b"I\x00"), 0.0)
    assert short == "1.000 scanner rx 49 00 |I.|"
    for width in (30, 40, 80):
        assert len(format_entry("scanner", entry, 0.0, width)) <= width


def test_format_entry_names_fingerprint_packets_and_counts_image_data() -> None:
    def line(data: bytes) -> str:
        return format_entry("fp", TrafficEntry(3.0, "tx", data), 0.0)

    data, end = data_packets(bytes(300), 128)[-2:]
    assert line(data) == f"3.000 fp tx {len(data)} B data packet"
    assert line(end) == f"3.000 fp tx {len(end)} B end data packet"
    assert line(command(Instruction.GEN_IMG)) == "3.000 fp tx cmd GEN_IMG"
    assert line(ack(CODE["no_finger"])) == "3.000 fp tx ack no_finger"
    assert line(ack(0, b"\x01\x02")) == "3.000 fp tx ack ok 01 02 |..|"
    assert line(ack(0)[:-1]) == "3.000 fp tx ack ok cut at 11/12 B"
    assert line(ack(0)[:-1] + b"\x00") == "3.000 fp tx ack ok bad checksum"
    assert line(ack(0) + b"\x55") == "3.000 fp tx ack ok +1 B"
    assert line(b"\x55") == "3.000 fp tx 55 |U|"
    assert line(ack(0, bytes(16))) == "3.000 fp tx ack ok 00 00 00 00… |....…|"
