"""The simulated citizen: reads the kiosk's messages and uses the devices as a person would.

They lay the passport on the scanner when the kiosk asks to identify, press the finger the
kiosk names (in the condition the scenario gives it), lift it when told, sign on the pad, and
take the passport and lift the finger when the session ends. Each action comes ``act_delay_s``
after the request, from a timer thread, never from the kiosk's threads: :meth:`on_message` is a
bus callback and returns at once. The citizen knows the devices they touch, not the simulation.

A synthetic print takes a quarter of a second to draw (more on a busy machine), time a person
does not need to put a finger down. So the citizen draws prints ahead, on a timer thread: the
first finger of each hand (the kiosk's usual order) once the photo is taken, the next attempt of
a finger when one is pressed, and the other hand's first finger after a finger's last attempt.
A press finds its print ready, or draws it then, as before; the reader's pace is untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from kiosk.fingerprint.positions import DEFAULT_FALLBACK
from kiosk.service.messages import Message, StateChanged, StepProgress
from kiosk.workflow.machine import State
from simulator.fingerprints import Condition, persona_finger
from simulator.scenario import Scenario

log = logging.getLogger(__name__)

#: ISO/IEC 19794-4 finger position codes by name.
FINGER_NAMES = {1: "right_thumb", 2: "right_index", 3: "right_middle", 4: "right_ring",
                5: "right_little", 6: "left_thumb", 7: "left_index", 8: "left_middle",
                9: "left_ring", 10: "left_little"}
#: Screens at which the citizen takes their passport and lifts their finger.
LEAVING_STATES = frozenset({State.WELCOME, State.DONE, State.ABORTED, State.OUT_OF_SERVICE})

#: Runs ``action`` after ``delay`` seconds, somewhere other than the caller's thread.
Schedule = Callable[[float, Callable[[], None]], None]
#: The finger a kiosk asks for first on each hand (left hand first).
FIRST_FINGERS = (int(DEFAULT_FALLBACK["left"][0]), int(DEFAULT_FALLBACK["right"][0]))
#: Longest wait for a print drawn ahead before the press draws its own.
PRINT_WAIT_S = 10.0
#: A print: (seed, finger position, condition, attempt).
PrintKey = tuple[int, int, Condition, int]


class PassportSlot(Protocol):
    """The scanner, as the citizen uses it."""

    def present(self, lines: Sequence[str]) -> None:
        """Lay a document with these MRZ lines on the reader."""
        ...

    def remove(self) -> None:
        """Take the document away."""
        ...


class FingerSensor(Protocol):
    """The fingerprint reader, as the citizen uses it."""

    def place(self, image: NDArray[np.uint8]) -> None:
        """Press a finger whose print is ``image`` on the sensor."""
        ...

    def lift(self) -> None:
        """Lift the finger."""
        ...


class Pad(Protocol):
    """The signature pad, as the citizen uses it."""

    def sign(self, *, seed: int) -> object:
        """Sign (strokes generated from ``seed``) and confirm."""
        ...


class SimulatedCitizen:
    """Acts on the devices when the kiosk asks.

    Args:
        scenario: Who the citizen is (passport, fingers, signature) and how quick they are.
        scanner: The document scanner they lay the passport on.
        fingerprint: The fingerprint reader they press their fingers on.
        signature_pad: The pad they sign on.
        today: Today's date, for the passport's dates.
        schedule: Runs an action after a delay in seconds; by default on a timer thread
            (tests pass one that keeps the actions to run them when they choose).
    """

    def __init__(self, scenario: Scenario, scanner: PassportSlot, fingerprint: FingerSensor,
                 signature_pad: Pad, today: Callable[[], dt.date] = dt.date.today,
                 schedule: Schedule | None = None) -> None:
        self.scenario = scenario
        self._schedule = schedule
        self.scanner = scanner
        self.fingerprint = fingerprint
        self.signature_pad = signature_pad
        self.today = today
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()
        self._stopped = False
        #: The (finger, attempt) pressed last; None after a lift (one press per request).
        self._pressed: tuple[int, int] | None = None
        #: Prints drawn (or being drawn) ahead of their press.
        self._prints: dict[PrintKey, Future[NDArray[np.uint8]]] = {}
        #: Fingers pressed in this session (not drawn ahead again).
        self._fingers_pressed: set[int] = set()

    # -- the kiosk's messages -----------------------------------------------------------------

    def on_message(self, message: Message) -> None:
        """A bus callback: react to what the kiosk shows and asks. Quick; never raises."""
        try:
            if isinstance(message, StateChanged):
                self.sees(message.new)
            elif isinstance(message, StepProgress) and message.state is State.FINGERPRINTS:
                if message.phase == "place" and message.finger is not None:
                    self.finger("place", message.finger, message.attempt or 1,
                                message.attempts or 1)
                elif message.phase == "lift":
                    self.finger("lift", message.finger or 0, message.attempt or 0)
        except Exception:  # noqa: BLE001 - a bus callback must not raise into the kiosk
            log.exception("simulated citizen failed to react to %s", type(message).__name__)

    def sees(self, state: str) -> None:
        """The kiosk shows ``state`` (a :class:`~kiosk.workflow.State` or its value)."""
        state = State(state)
        if state is State.IDENTIFY:
            lines = self.scenario.passport.mrz(self.today())
            self._later(lambda: self.scanner.present(lines))
        elif state in (State.PHOTO_REVIEW, State.FINGERPRINTS):
            # Not sooner: drawing competes for the CPU with the photo step and its camera.
            for position in FIRST_FINGERS:
                self._draw_ahead(position, 1)
        elif state is State.SIGNATURE:
            seed = self.scenario.signature_seed
            self._later(lambda: self.signature_pad.sign(seed=seed))
        elif state in LEAVING_STATES:
            # The citizen takes their passport and steps away.
            self._forget_press(session_ended=True)
            self._later(self.scanner.remove)
            self._later(self.fingerprint.lift, delay=0.0)

    def finger(self, kind: str, position: int, attempt: int, attempts: int = 1) -> None:
        """The kiosk asks to place finger ``position`` (attempt ``attempt`` of ``attempts``) or
        to lift it.

        A repeated request for the same finger and attempt (the screen was redrawn) presses
        only once, until a lift or another request.
        """
        if kind == "lift":
            self._forget_press()
            self._later(self.fingerprint.lift)
            return
        with self._lock:
            if self._pressed == (position, attempt):
                return
            self._pressed = (position, attempt)
            self._fingers_pressed.add(position)
        name = FINGER_NAMES.get(position, str(position))
        condition = self.scenario.fingers.condition(name)
        if condition == "missing":
            log.info("simulated citizen has no usable %s", name)
            return
        key = (self.scenario.fingers.seed, position, condition, attempt)

        def press() -> None:
            # Drawn ahead, or made here, on the timer thread: it takes a fraction of a second.
            self.fingerprint.place(self._print(key))

        self._later(press)
        if attempt < attempts:
            self._draw_ahead(position, attempt + 1)
        else:
            for first in FIRST_FINGERS:
                if first not in self._fingers_pressed:
                    self._draw_ahead(first, 1)

    # -- prints -------------------------------------------------------------------------------

    def _draw_ahead(self, position: int, attempt: int) -> None:
        """Draw the print of ``position``'s ``attempt`` now, on a timer thread, for its press."""
        condition = self.scenario.fingers.condition(FINGER_NAMES.get(position, str(position)))
        if condition == "missing":
            return
        key = (self.scenario.fingers.seed, position, condition, attempt)
        with self._lock:
            if key in self._prints or self._stopped:
                return
            drawn: Future[NDArray[np.uint8]] = Future()
            self._prints[key] = drawn

        def draw() -> None:
            if not drawn.set_running_or_notify_cancel():
                return
            try:
                drawn.set_result(persona_finger(*key))
            except BaseException as error:  # noqa: BLE001 - the press draws it again
                drawn.set_exception(error)

        self._later(draw, delay=0.0)

    def _print(self, key: PrintKey) -> NDArray[np.uint8]:
        """The print for a press: the one drawn ahead (waiting for it if it is being drawn),
        else drawn now."""
        with self._lock:
            drawn = self._prints.pop(key, None)
        if drawn is not None:
            try:
                return drawn.result(timeout=PRINT_WAIT_S)
            except Exception:  # noqa: BLE001 - not drawn in time or failed: draw it here
                log.warning("a print drawn ahead was not ready; drawing it now")
        return persona_finger(*key)

    # -- acting -------------------------------------------------------------------------------

    def _forget_press(self, session_ended: bool = False) -> None:
        with self._lock:
            self._pressed = None
            if session_ended:
                self._fingers_pressed.clear()

    def _later(self, action: Callable[[], object], delay: float | None = None) -> None:
        def act() -> None:
            try:
                action()
            except Exception:  # noqa: BLE001 - a timer thread has nobody to tell but the log
                log.exception("simulated citizen could not act")

        with self._lock:
            if self._stopped:
                return
            wait = self.scenario.act_delay_s if delay is None else delay
            if self._schedule is not None:
                self._schedule(wait, act)
                return
            timer = threading.Timer(wait, act)
            timer.daemon = True
            self._timers = [t for t in self._timers if t.is_alive()] + [timer]
            timer.start()

    def stop(self) -> None:
        """Stop acting (the simulator is shutting down)."""
        with self._lock:
            self._stopped = True
            for timer in self._timers:
                timer.cancel()
            for drawn in self._prints.values():
                drawn.cancel()
            self._prints.clear()
