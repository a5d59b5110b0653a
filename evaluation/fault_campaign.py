"""Fault campaign: random device faults against the kiosk service, no UI, seeded and reproducible.

Usage::

    python evaluation/fault_campaign.py [--runs 300] [--seed 1] [--jobs 2] [--time-limit 180]
                                        [--patience 30] [--only 17,42] [--json]

Each run is planned from ``(seed, run number)`` alone, so any run can be replayed by itself with
``--only``. A plan holds one or two faults, each ``device:fault`` with its parameters, the screen
at which it is injected and the moment (seconds after that screen shows), and the citizen's
policy on the device-error screen:

* ``retry-clear``: wait a little, clear the faults (a librarian replugs the cable), Try again;
* ``retry-noclear``: Try again at once, twice, before the faults are cleared;
* ``staff``: ask for a librarian.

On the refused screen the ``staff`` citizen asks for a librarian, the others press Finish.
The first fault of the runs goes round every ``(device, fault)`` pair the simulator knows, in a
shuffled order per round, so 300 runs give every pair about fourteen runs of its own.

Each run builds a kiosk (``kiosk.composition.build_kiosk``) on the simulator without pacing and
drives it with a *reactive* citizen: it subscribes to the service's bus and presses the buttons
the screens offer as they come; the simulated citizen inside the simulator lays the passport,
stands at the camera, presses fingers and signs. Runs go to a pool of ``--jobs`` worker
processes; a run past ``--time-limit`` is a **hang** (its worker is killed and replaced).

How a run ends:

* **completed**: a reference number was issued;
* **refused**: the refused screen (why, and what to do);
* **staff**: the citizen asked for a librarian and the help screen showed;
* **aborted**: the aborted screen, or the session was wiped;
* **stuck**: nothing new on the screen (no state change, no step progress) for ``--patience``
  seconds, on a screen that does not tell the citizen what happened (e.g. a device step);
* **hang**: still running at the time limit (the kiosk was busy, or the worker did not answer).

A **traceback** is an exception that reached logging with ``exc_info`` at ERROR or above,
``threading.excepthook``, ``sys.excepthook`` or ``sys.unraisablehook``, or "Traceback" on the
worker's stderr (which goes to a file, so native libraries' lines are kept too).

**Recovery** of a fault: from its injection until the kiosk is back on a working screen (the
step, or any later step up to done) after the last device error it caused; for a fault that
caused no device error but came while its device's step was showing, until the kiosk moved on
from that step (how long the step took under the fault). Faults whose run never recovered
(staff, stuck, hang) have none.

This is an evaluation, not a test: it prints numbers and exits 0 unless the script itself fails.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import heapq
import itertools
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import random
import shlex
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: The screen where each device does its work.
DEVICE_STEP = {
    "scanner": "identify",
    "camera": "photo",
    "fingerprint": "fingerprints",
    "signature": "signature",
}
#: Every fault the simulator knows, per device (``bad_checksum`` of the scanner needs the 3M
#: framing, the only one with a block check; runs that inject it use that framing).
FAULTS: dict[str, tuple[str, ...]] = {
    "scanner": ("unplug", "silent", "slow", "garbage", "truncate", "bad_checksum",
                "substitute", "ocr_confusion", "missing_line", "short_line"),
    "fingerprint": ("unplug", "silent", "slow", "garbage", "truncate", "bad_checksum",
                    "refuse"),
    "camera": ("freeze", "low_fps", "unplug"),
    "signature": ("unplug",),
}
PAIRS: tuple[tuple[str, str], ...] = tuple(
    (device, fault) for device, faults in FAULTS.items() for fault in faults)
#: Screens a fault can be injected at (a device's own step, or any other screen of the visit).
STEPS = ("welcome", "identify", "photo", "photo_review", "fingerprints", "signature", "summary",
         "consent")
POLICIES = ("retry-clear", "retry-noclear", "staff")
OUTCOMES = ("completed", "refused", "staff", "aborted", "stuck", "hang")
#: Screens that tell the citizen what happened and what to do.
TELLING = frozenset({"done", "refused", "help", "device_error", "aborted"})
#: Screens where the kiosk is working on the application (a fault has recovered once here).
WORKING = frozenset({"identify", "photo", "photo_review", "fingerprints", "signature",
                     "summary", "consent", "handoff", "done"})
#: Clear-and-retry rounds before the citizen gives up and asks for a librarian.
MAX_CLEAR_RETRIES = 3
#: Retries without clearing before the ``retry-noclear`` citizen has the faults cleared.
MAX_NOCLEAR_RETRIES = 2
#: How long the simulated citizen takes to act on a device, and to tap a button (seconds).
ACT_DELAY_S = 0.15
TAP_DELAY_S = 0.1
#: About how long each screen lasts on a fault-free run with those delays (seconds): most
#: faults are injected within this span, while the device is still in use.
STEP_SPAN = {"identify": 0.3, "photo": 3.0, "fingerprints": 6.0, "signature": 0.3}


# --- plans --------------------------------------------------------------------------------


@dataclass
class FaultPlan:
    """One fault: which, with which parameters, at which screen and how long after it shows."""

    device: str
    fault: str
    step: str
    moment: float
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> str:
        """``device:fault``."""
        return f"{self.device}:{self.fault}"

    def describe(self) -> str:
        """``scanner:slow(delay=1.0) at identify+0.42s``."""
        params = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.spec}({params}) at {self.step}+{self.moment:.2f}s"


@dataclass
class RunPlan:
    """Everything one run does, derived from the campaign seed and the run number."""

    run_id: int
    seed: int
    faults: list[FaultPlan]
    policy: str
    #: How long the ``retry-clear`` citizen waits before the faults are cleared.
    clear_wait: float = 0.5
    framing: str = "lines"
    #: Kiosk timeouts other than the defaults (``document_wait_s``...), for quicker runs.
    timeouts: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: faults, policy, framing."""
        faults = " + ".join(f.describe() for f in self.faults)
        return (f"run {self.run_id}: {faults}; policy {self.policy} "
                f"(clear after {self.clear_wait:.2f}s); framing {self.framing}")

    def as_dict(self) -> dict[str, Any]:
        """Plain data (to send to a worker, or print as JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunPlan:
        """The plan of :meth:`as_dict`."""
        data = dict(data)
        data["faults"] = [FaultPlan(**f) for f in data["faults"]]
        return cls(**data)


def fault_params(rng: random.Random, device: str, fault: str) -> dict[str, Any]:
    """Random parameters where they change what the fault does."""
    if fault == "slow":
        return {"delay": rng.choice((0.3, 1.0, 3.0))}
    if fault == "garbage":
        return {"count": rng.choice((1, 8, 40))}
    if fault == "unplug" and device in ("scanner", "fingerprint") and rng.random() < 0.25:
        # The cable goes mid-transfer, and may come back by itself.
        params: dict[str, Any] = {"after_bytes": rng.choice((10, 60, 400))}
        if rng.random() < 0.5:
            params["replug_after"] = rng.choice((0.5, 2.0))
        return params
    if device == "scanner":
        if fault == "truncate":
            return {"keep": rng.choice((5, 30, 60))}
        if fault in ("substitute", "ocr_confusion"):
            return {"count": rng.choice((1, 2, 5))}
        if fault == "missing_line":
            return {"index": rng.choice((0, 1))}
        if fault == "short_line":
            return {"chars": rng.choice((1, 5, 20)), "index": rng.choice((0, -1))}
    if device == "fingerprint":
        if fault == "truncate":
            return {"skip": rng.choice((0, 1, 3)), "keep": rng.choice((4, 9, 30))}
        if fault == "bad_checksum":
            return {"skip": rng.choice((0, 1, 3))}
        if fault == "refuse":
            params = {"code": rng.choice((0x01, 0x03, 0x0F))}
            instruction = rng.choice((None, "GEN_IMG", "UP_IMAGE"))
            if instruction is not None:
                params["instruction"] = instruction
            if rng.random() < 0.3:
                params["times"] = 3
            return params
    if device == "camera":
        if fault == "freeze":
            return {"mode": rng.choice(("repeat", "stall"))}
        if fault == "low_fps":
            return {"fps": rng.choice((1.0, 3.0, 8.0))}
    return {}


def _pick_step(rng: random.Random, device: str) -> str:
    # Mostly at the device's own step, where it is in use; sometimes anywhere else.
    if rng.random() < 0.75:
        return DEVICE_STEP[device]
    return rng.choice([s for s in STEPS if s != DEVICE_STEP[device]])


def _pick_moment(rng: random.Random, step: str) -> float:
    # Mostly while the step is still under way, sometimes later (after it may have ended).
    if rng.random() < 0.8:
        return round(rng.uniform(0.0, STEP_SPAN.get(step, 0.3)), 2)
    return round(rng.uniform(0.0, 3.0), 2)


def plan_run(seed: int, run_id: int) -> RunPlan:
    """The plan of run ``run_id`` of the campaign seeded ``seed`` (independent of other runs)."""
    rounds, index = divmod(run_id, len(PAIRS))
    order = list(PAIRS)
    random.Random(f"pasboks-campaign:{seed}:round:{rounds}").shuffle(order)
    rng = random.Random(f"pasboks-campaign:{seed}:run:{run_id}")
    pairs = [order[index]]
    if rng.random() < 0.3:
        pairs.append(rng.choice([p for p in PAIRS if p != pairs[0]]))
    faults = []
    for device, fault in pairs:
        step = _pick_step(rng, device)
        faults.append(FaultPlan(device, fault, step, _pick_moment(rng, step),
                                fault_params(rng, device, fault)))
    policy = rng.choices(POLICIES, weights=(5, 3, 2))[0]
    needs_3m = any(f.spec == "scanner:bad_checksum" for f in faults)
    framing = "3m" if needs_3m or rng.random() < 0.25 else "lines"
    return RunPlan(run_id, seed, faults, policy, round(rng.uniform(0.2, 1.0), 2), framing)


# --- tracebacks ---------------------------------------------------------------------------


class TracebackWatch(logging.Handler):
    """Collects every traceback that reaches logging or an excepthook while installed."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.found: list[str] = []
        self._lock_found = threading.Lock()
        self._saved: tuple[Any, ...] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info))
            self._add(f"logging {record.name} {record.levelname}: {record.getMessage()}\n{text}")

    def _add(self, text: str) -> None:
        with self._lock_found:
            self.found.append(text)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value,
                                                  args.exc_traceback))
        name = args.thread.name if args.thread is not None else "?"
        self._add(f"threading.excepthook (thread {name}):\n{text}")

    def _sys_hook(self, exc_type: Any, value: Any, tb: Any) -> None:
        self._add("sys.excepthook:\n" + "".join(traceback.format_exception(exc_type, value, tb)))

    def _unraisable_hook(self, unraisable: Any) -> None:
        text = "".join(traceback.format_exception(unraisable.exc_type, unraisable.exc_value,
                                                  unraisable.exc_traceback))
        self._add(f"sys.unraisablehook ({unraisable.err_msg} {unraisable.object!r}):\n{text}")

    def take(self) -> list[str]:
        """The tracebacks found since the last call."""
        with self._lock_found:
            found, self.found = self.found, []
        return found

    def install(self) -> None:
        """Watch logging and the hooks (restore with :meth:`uninstall`)."""
        root = logging.getLogger()
        self._saved = (threading.excepthook, sys.excepthook, sys.unraisablehook)
        root.addHandler(self)
        threading.excepthook = self._thread_hook
        sys.excepthook = self._sys_hook
        sys.unraisablehook = self._unraisable_hook

    def uninstall(self) -> None:
        """Stop watching."""
        logging.getLogger().removeHandler(self)
        if self._saved is not None:
            threading.excepthook, sys.excepthook, sys.unraisablehook = self._saved
            self._saved = None

    @contextlib.contextmanager
    def watching(self) -> Iterator[TracebackWatch]:
        """``with watch.watching(): ...``."""
        self.install()
        try:
            yield self
        finally:
            self.uninstall()


# --- one run ------------------------------------------------------------------------------


def campaign_config(framing: str = "lines", **timeouts: float) -> Any:
    """The simulator without pacing, short device polls (as the tests use); other timeouts
    (``document_wait_s``...) are the kiosk's defaults unless given."""
    from kiosk.config import DevicesSettings, KioskConfig, SimulatorSettings, TimeoutSettings

    return KioskConfig(
        simulator=SimulatorSettings.model_validate({"pacing": False}),
        timeouts=TimeoutSettings.model_validate({"device_read_s": 0.2, **timeouts}),
        devices=DevicesSettings.model_validate({"scanner": {"framing": framing}}))


def campaign_scenario(plan: RunPlan) -> Any:
    """The simulated citizen of a run: a valid passport, a compliant face, good fingers."""
    from simulator.scenario import Scenario

    return Scenario.model_validate({
        "name": f"campaign-{plan.seed}-{plan.run_id}",
        "description": "fault campaign run (the citizen is driven by the campaign)",
        "language": "en", "act_delay_s": ACT_DELAY_S})


@dataclass
class _Injected:
    plan: FaultPlan
    at: float | None = None
    errored: bool = False
    recovery: float | None = None
    error: str | None = None
    scheduled: bool = False
    #: The fault came while its device's step was on the screen.
    in_use: bool = False


class ReactiveCitizen:
    """Drives one kiosk through a run plan by watching its bus and pressing its buttons."""

    def __init__(self, kiosk: Any, plan: RunPlan, *, patience: float, budget: float,
                 on_state: Callable[[str], None] | None = None) -> None:
        self.kiosk = kiosk
        self.service = kiosk.service
        self.simulation = kiosk.simulation
        self.plan = plan
        self.patience = patience
        self.budget = budget
        self.on_state = on_state or (lambda state: None)
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.faults = [_Injected(f) for f in plan.faults]
        self.started = time.monotonic()
        self.state = ""
        self.visit = 0
        self.visits: list[tuple[str, float]] = []
        self.outcome: str | None = None
        self.reason = ""
        self.reference: str | None = None
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.health: list[str] = []
        self.asked_staff = False
        self.clear_retries = 0
        self.noclear_retries = 0
        self.device_errors = 0
        self.last_action = ""
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._last_news = self.started

    # --- the loop ----------------------------------------------------------------------

    def run(self) -> None:
        """Play the run until it ends (outcome set), stalls (stuck) or runs out of time."""
        subscription = self.service.bus.subscribe(self.inbox.put)
        try:
            self._enter(_state_name(self.service.state))
            settle_until: float | None = None
            while True:
                now = time.monotonic()
                if self.outcome is not None:
                    settle_until = settle_until or now + 0.4
                    if now >= settle_until or self.state == "welcome":
                        return
                elif now - self.started > self.budget:
                    self._end("hang", f"still on {self.state} after {self.budget:.0f} s "
                                      f"(last action: {self.last_action or 'none'})")
                    return
                elif now - self._last_news > self.patience:
                    self._stalled()
                    return
                self._run_timers(now)
                wait = 0.05
                if self._timers:
                    wait = max(0.0, min(wait, self._timers[0][0] - now))
                try:
                    message = self.inbox.get(timeout=wait)
                except queue.Empty:
                    continue
                self._heard(message)
        finally:
            with contextlib.suppress(Exception):
                subscription.close()

    def _stalled(self) -> None:
        where = f"nothing new for {self.patience:.0f} s on {self.state}"
        if self.last_action:
            where += f" (last action: {self.last_action})"
        if self.state in TELLING:
            where += "; the screen tells the citizen what happened but the kiosk did not react"
        self._end("stuck", where)

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._seq), action))

    def _run_timers(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _due, _seq, action = heapq.heappop(self._timers)
            action()

    def _now(self) -> float:
        return time.monotonic() - self.started

    # --- what the kiosk says -----------------------------------------------------------

    def _heard(self, message: Any) -> None:
        kind = type(message).__name__
        if kind == "StateChanged":
            self._last_news = time.monotonic()
            self._enter(_state_name(message.new))  # the service announces real moves only
        elif kind == "StepProgress":
            self._last_news = time.monotonic()
        elif kind == "ApplicationCompleted":
            self.reference = message.reference
        elif kind == "DeviceHealth" and not message.ok:
            self.health.append(f"{self._now():.2f}s {message.device} {message.code}")

    def _enter(self, state: str) -> None:
        now = time.monotonic()
        self.state = state
        self.visit += 1
        self.visits.append((state, round(now - self.started, 3)))
        self.on_state(state)
        self._track_recovery(state, now)
        if self.outcome is None:
            for fault in self.faults:
                if not fault.scheduled and fault.plan.step == state:
                    fault.scheduled = True
                    self._later(fault.plan.moment, _bind(self._inject, fault))
        self._react(state)

    def _track_recovery(self, state: str, now: float) -> None:
        for fault in self.faults:
            if fault.at is None or now < fault.at:
                continue
            if state == "device_error":
                fault.errored = True
                fault.recovery = None
            elif state in WORKING and fault.errored:
                fault.recovery = now - fault.at
                fault.errored = False
            elif (state in WORKING and fault.recovery is None and fault.in_use
                  and state != DEVICE_STEP[fault.plan.device]):
                # No device error: how long the step took to finish under the fault.
                fault.recovery = now - fault.at

    def _react(self, state: str) -> None:
        if self.outcome is not None:
            if state in ("done", "aborted", "refused"):
                self._press_later("finish")
            return
        visit = self.visit
        if state == "welcome":
            if self.visit == 1:
                self._press_later("choose-en", visit)
                self._later(2 * TAP_DELAY_S, lambda: self._press("start", visit))
            else:
                self._end("aborted", "the session went back to welcome (wiped)")
        elif state == "photo_review":
            self._press_later("accept", visit)
        elif state == "summary":
            self._press_later("continue", visit)
        elif state == "consent":
            self._press_later("consent", visit)
        elif state == "done":
            self._end("completed", f"reference {self.reference or self._reference()}")
            self._press_later("finish")
        elif state == "refused":
            self._end("refused", f"refused ({self._fault_or_refusal()})")
            self._press_later("staff" if self.plan.policy == "staff" else "finish")
        elif state == "aborted":
            self._end("aborted", "aborted screen")
            self._press_later("finish")
        elif state == "help":
            if self.asked_staff:
                self._end("staff", f"help screen after {self.device_errors} device error(s)")
            else:
                self._press_later("back", visit)
        elif state == "inactivity_warning":
            self._press_later("still-here", visit)
        elif state == "device_error":
            self._device_error(visit)

    def _device_error(self, visit: int) -> None:
        self.device_errors += 1
        self.errors.append(f"{self._now():.2f}s {self._fault_or_refusal()}")
        policy = self.plan.policy
        if policy == "staff":
            self.asked_staff = True
            self._press_later("staff", visit)
        elif policy == "retry-noclear" and self.noclear_retries < MAX_NOCLEAR_RETRIES:
            self.noclear_retries += 1
            self._press_later("retry", visit)
        elif self.clear_retries < MAX_CLEAR_RETRIES:
            self.clear_retries += 1
            wait = self.plan.clear_wait

            def clear_then_retry() -> None:
                self._clear_all()
                self._later(TAP_DELAY_S, lambda: self._press("retry", visit))

            self._later(wait, clear_then_retry)
        else:
            self.asked_staff = True
            self._press_later("staff", visit)

    def _reference(self) -> str | None:
        with contextlib.suppress(Exception):
            return self.service.session.data.reference  # type: ignore[no-any-return]
        return None

    def _fault_or_refusal(self) -> str:
        with contextlib.suppress(Exception):
            data = self.service.session.data
            fault = getattr(data, "fault", None)
            if fault:
                return ":".join(str(part) for part in fault)
            refusal = getattr(data, "refusal", None)
            if refusal:
                return str(refusal)
        return "-"

    def _end(self, outcome: str, reason: str) -> None:
        if self.outcome is None:
            self.outcome, self.reason = outcome, reason
            self._timers = []  # pending faults, clears and taps are off

    # --- what the citizen does ---------------------------------------------------------

    def _press_later(self, button: str, visit: int | None = None) -> None:
        self._later(TAP_DELAY_S, lambda: self._press(button, visit))

    def _press(self, button: str, visit: int | None = None) -> None:
        if visit is not None and visit != self.visit:
            return  # the screen changed meanwhile: that button is gone
        if button == "staff" and self.state == "device_error":
            self.asked_staff = True
        self.last_action = f"pressed {button} on {self.state} at {self._now():.2f}s"
        try:
            answer = self.service.press(button)
            if hasattr(answer, "result"):  # a Future: the press runs on the service's thread
                answer.result(timeout=10)
        except TimeoutError:
            self.notes.append(f"press {button} on {self.state}: no answer within 10 s")
        except Exception as error:  # noqa: BLE001 - recorded, the citizen carries on
            self.notes.append(f"press {button} on {self.state}: {error!r}")

    def _inject(self, fault: _Injected) -> None:
        if self.outcome is not None or self.simulation is None:
            return
        fault.at = time.monotonic()
        fault.in_use = self.state == DEVICE_STEP[fault.plan.device]
        self.last_action = f"injected {fault.plan.spec} on {self.state} at {self._now():.2f}s"
        try:
            self.simulation.inject(fault.plan.spec, **fault.plan.params)
        except Exception as error:  # noqa: BLE001 - the campaign's problem, not the kiosk's
            fault.error = repr(error)
            self.notes.append(f"inject {fault.plan.spec}: {error!r}")

    def _clear_all(self) -> None:
        self.last_action = f"cleared faults on {self.state} at {self._now():.2f}s"
        for fault in self.faults:
            if fault.at is None or self.simulation is None:
                continue
            try:
                self.simulation.clear(fault.plan.spec)
            except Exception as error:  # noqa: BLE001
                self.notes.append(f"clear {fault.plan.spec}: {error!r}")

    # --- the record --------------------------------------------------------------------

    def record(self) -> dict[str, Any]:
        """What happened, as plain data."""
        recovered = self.outcome in ("completed", "refused", "aborted")
        return {
            "outcome": self.outcome or "stuck",
            "reason": self.reason,
            "final_state": self.state,
            "reference": self.reference,
            "device_errors": self.device_errors,
            "errors": self.errors,
            "health": self.health,
            "visits": self.visits,
            "faults": [{"spec": f.plan.spec, "describe": f.plan.describe(),
                        "injected_at": None if f.at is None else round(f.at - self.started, 3),
                        "recovery": (round(f.recovery, 3) if recovered and f.recovery is not None
                                     else None),
                        "error": f.error} for f in self.faults],
            "notes": self.notes,
        }


def _bind(function: Callable[[_Injected], None], fault: _Injected) -> Callable[[], None]:
    return lambda: function(fault)


def _state_name(state: Any) -> str:
    return str(getattr(state, "value", state))


def run_one(plan: RunPlan, *, patience: float = 30.0, budget: float = 100.0,
            watch: TracebackWatch | None = None,
            on_state: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Build a kiosk, play ``plan`` on it, close it; the run's record.

    ``watch`` (installed by the caller) collects tracebacks; without one, a watch is installed
    for the run.
    """
    own = watch is None
    watch = watch or TracebackWatch()
    if own:
        watch.install()
    started = time.monotonic()
    record: dict[str, Any] = {"run_id": plan.run_id, "plan": plan.as_dict(),
                              "describe": plan.describe()}
    try:
        watch.take()
        try:
            from kiosk.composition import build_kiosk

            kiosk = build_kiosk(campaign_config(plan.framing, **plan.timeouts),
                                campaign_scenario(plan))
        except Exception:  # noqa: BLE001 - the kiosk did not start: a traceback of its own
            record.update(outcome="stuck", reason="build_kiosk failed", final_state="-",
                          faults=[], device_errors=0, notes=[], visits=[], errors=[],
                          health=[])
            record["tracebacks"] = watch.take() + ["build_kiosk:\n" + traceback.format_exc()]
            return record
        citizen = ReactiveCitizen(kiosk, plan, patience=patience, budget=budget,
                                  on_state=on_state)
        try:
            citizen.run()
        finally:
            record.update(citizen.record())
            with contextlib.suppress(Exception):
                if kiosk.simulation is not None:
                    record["faults_met"] = list(kiosk.simulation.faults_met())
            if on_state is not None:
                on_state("closing")
            try:
                kiosk.close()
            except Exception:  # noqa: BLE001
                record.setdefault("close_error", traceback.format_exc())
        time.sleep(0.05)
        record["tracebacks"] = watch.take()
        if "close_error" in record:
            record["tracebacks"].append("kiosk.close():\n" + record["close_error"])
        return record
    finally:
        record["seconds"] = round(time.monotonic() - started, 2)
        if own:
            watch.uninstall()


# --- the worker pool ----------------------------------------------------------------------


def _worker_main(conn: Any, stderr_path: str, patience: float, budget: float) -> None:
    """A worker process: runs plans from ``conn`` until it gets None."""
    fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    logging.getLogger().setLevel(logging.WARNING)
    watch = TracebackWatch()
    watch.install()
    # Import the kiosk once, before the first run (mediapipe takes seconds to load).
    with contextlib.suppress(Exception):
        import kiosk.composition  # noqa: F401
    watch.take()
    while True:
        job = conn.recv()
        if job is None:
            return
        plan = RunPlan.from_dict(job)
        sys.stderr.flush()
        offset = os.path.getsize(stderr_path)

        def report(state: str, run_id: int = plan.run_id) -> None:
            with contextlib.suppress(Exception):
                conn.send(("state", run_id, state))

        try:
            record = run_one(plan, patience=patience, budget=budget, watch=watch,
                             on_state=report)
        except Exception:  # noqa: BLE001 - the campaign's own bug: say so, keep going
            record = {"run_id": plan.run_id, "plan": job, "describe": plan.describe(),
                      "outcome": "stuck", "reason": "campaign error",
                      "tracebacks": ["campaign (not the kiosk):\n" + traceback.format_exc()]}
        sys.stderr.flush()
        stderr = _read_from(stderr_path, offset)
        if "Traceback" in stderr:
            record.setdefault("tracebacks", []).append("stderr:\n" + _around_traceback(stderr))
        conn.send(("result", plan.run_id, record))


def _read_from(path: str, offset: int) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _around_traceback(text: str, limit: int = 4000) -> str:
    start = text.find("Traceback")
    return text[max(0, start - 200): start + limit]


@dataclass
class _Worker:
    process: Any
    conn: Any
    stderr_path: str
    job: RunPlan | None = None
    deadline: float = 0.0
    started: float = 0.0
    offset: int = 0
    last_state: str = ""


class CampaignPool:
    """``jobs`` worker processes, reused across runs; a hung one is killed and replaced."""

    def __init__(self, jobs: int, time_limit: float, patience: float, budget: float,
                 directory: str) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.time_limit = time_limit
        self.patience = patience
        self.budget = budget
        self.directory = directory
        self._count = itertools.count()
        self.workers = [self._spawn() for _ in range(jobs)]

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe()
        path = os.path.join(self.directory, f"worker-{next(self._count)}.stderr")
        process = self.context.Process(target=_worker_main,
                                       args=(child, path, self.patience, self.budget),
                                       daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, path)

    def run(self, plans: list[RunPlan], done: Callable[[dict[str, Any]], None]) -> None:
        """Run every plan; ``done(record)`` as each finishes (in the order they finish)."""
        pending = list(reversed(plans))
        while pending or any(w.job is not None for w in self.workers):
            for worker in self.workers:
                if worker.job is None and pending:
                    self._assign(worker, pending.pop())
            busy: dict[Any, _Worker] = {w.conn: w for w in self.workers if w.job is not None}
            for conn in multiprocessing.connection.wait(list(busy), timeout=0.5):
                worker = busy[conn]
                try:
                    kind, run_id, payload = worker.conn.recv()
                except (EOFError, OSError):
                    done(self._lost(worker, "the worker process died "
                                            f"(exit code {worker.process.exitcode})"))
                    continue
                if kind == "state":
                    worker.last_state = payload
                elif kind == "result" and worker.job is not None \
                        and run_id == worker.job.run_id:
                    worker.job = None
                    done(payload)
            now = time.monotonic()
            for worker in self.workers:
                if worker.job is not None and now > worker.deadline:
                    done(self._lost(worker, f"past the time limit of {self.time_limit:.0f} s"))

    def _assign(self, worker: _Worker, plan: RunPlan) -> None:
        worker.job = plan
        worker.started = time.monotonic()
        worker.deadline = worker.started + self.time_limit
        worker.last_state = "starting"
        with contextlib.suppress(OSError):
            worker.offset = os.path.getsize(worker.stderr_path)
        worker.conn.send(plan.as_dict())

    def _lost(self, worker: _Worker, why: str) -> dict[str, Any]:
        """Kill a worker whose run hung (or that died), replace it; the run's record."""
        plan = worker.job
        assert plan is not None
        worker.process.kill()
        worker.process.join(5)
        stderr = _read_from(worker.stderr_path, worker.offset)
        tracebacks = ["stderr:\n" + _around_traceback(stderr)] if "Traceback" in stderr else []
        died = "died" in why
        if died:
            tracebacks.append(f"worker: {why}\n{stderr[-2000:]}")
        where = worker.last_state
        if where == "closing":
            where = "kiosk.close() after the run"
        record = {
            "run_id": plan.run_id, "plan": plan.as_dict(), "describe": plan.describe(),
            "outcome": "hang", "reason": f"{why}; last seen: {where}",
            "final_state": worker.last_state, "faults": [
                {"spec": f.spec, "describe": f.describe(), "injected_at": None,
                 "recovery": None, "error": None} for f in plan.faults],
            "tracebacks": tracebacks, "seconds": round(time.monotonic() - worker.started, 2),
        }
        with contextlib.suppress(Exception):
            worker.conn.close()
        index = self.workers.index(worker)
        self.workers[index] = self._spawn()
        return record

    def close(self) -> None:
        """Stop the workers."""
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
        for worker in self.workers:
            worker.process.join(10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)


# --- the report ---------------------------------------------------------------------------


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows per (device, fault), and totals over runs."""
    rows: dict[str, dict[str, Any]] = {}
    for device, fault in PAIRS:
        rows[f"{device}:{fault}"] = _empty_row()
    totals = _empty_row()
    for record in records:
        specs = list(dict.fromkeys(f"{f['device']}:{f['fault']}"
                                   for f in record["plan"]["faults"]))
        for spec in specs:
            recoveries = [f.get("recovery") for f in record.get("faults", [])
                          if f["spec"] == spec and f.get("recovery") is not None]
            _count(rows.setdefault(spec, _empty_row()), record, recoveries)
        all_recoveries = [f["recovery"] for f in record.get("faults", [])
                          if f.get("recovery") is not None]
        _count(totals, record, all_recoveries)
    return {"rows": rows, "totals": totals}


def _empty_row() -> dict[str, Any]:
    return {"runs": 0, **{o: 0 for o in OUTCOMES}, "tracebacks": 0, "device_error": 0,
            "slowest_recovery": None, "slowest_run": None}


def _count(row: dict[str, Any], record: dict[str, Any], recoveries: list[float]) -> None:
    row["runs"] += 1
    row[record.get("outcome", "stuck")] += 1
    row["tracebacks"] += bool(record.get("tracebacks"))
    row["device_error"] += bool(record.get("device_errors"))
    if recoveries and (row["slowest_recovery"] is None
                       or max(recoveries) > row["slowest_recovery"]):
        row["slowest_recovery"] = max(recoveries)
        row["slowest_run"] = record["run_id"]


COLUMNS = ("runs", "completed", "refused", "staff", "aborted", "tracebacks", "hang", "stuck",
           "device_error")
HEADERS = ("runs", "done", "refused", "staff", "aborted", "tracebk", "hangs", "stuck",
           "dev_err")


def format_table(summary: dict[str, Any]) -> str:
    """The per device and fault table, with totals."""
    head = (f"{'device:fault':<26}" + "".join(f"{h:>8}" for h in HEADERS)
            + f"{'slowest recovery (s)':>24}")
    lines = [head, "-" * len(head)]

    def line(name: str, row: dict[str, Any]) -> str:
        slowest = ("-" if row["slowest_recovery"] is None
                   else f"{row['slowest_recovery']:.2f} (run {row['slowest_run']})")
        return (f"{name:<26}" + "".join(f"{row[c]:>8}" for c in COLUMNS) + f"{slowest:>24}")

    for name, row in summary["rows"].items():
        lines.append(line(name, row))
    lines.append("-" * len(head))
    lines.append(line("total (runs)", summary["totals"]))
    return "\n".join(lines)


def problems(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs with a traceback, a hang or a stuck end."""
    return [r for r in records
            if r.get("tracebacks") or r.get("outcome") in ("hang", "stuck")]


def format_problem(record: dict[str, Any], command: str) -> str:
    """A problem run: its plan, what the kiosk showed, the first traceback, how to replay it."""
    out = [f"* {record['describe']}",
           f"  outcome {record.get('outcome')}: {record.get('reason', '')}",
           f"  screens: {' > '.join(s for s, _t in record.get('visits', []))}"]
    if record.get("errors"):
        out.append(f"  device errors (device:code): {', '.join(record['errors'])}")
    if record.get("notes"):
        out.append(f"  notes: {'; '.join(record['notes'])}")
    for text in record.get("tracebacks", [])[:2]:
        out.append("  traceback:\n" + "\n".join("    " + t for t in text.rstrip().splitlines()))
    out.append(f"  replay: {command} --only {record['run_id']}")
    return "\n".join(out)


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="number of runs (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="campaign seed (default 1)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--time-limit", type=float, default=180.0,
                        help="seconds per run before it counts as a hang (default 180: a "
                             "citizen who retries a silent scanner twice waits 3 x 45 s)")
    parser.add_argument("--patience", type=float, default=30.0,
                        help="seconds with nothing new on the screen before a run is stuck "
                             "(default 30)")
    parser.add_argument("--only", type=str, default=None,
                        help="replay only these run numbers (comma-separated)")
    parser.add_argument("--json", action="store_true", help="print the records as JSON")
    parser.add_argument("--save", type=Path, default=None,
                        help="also write the records as JSON to this file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.jobs < 1 or args.time_limit <= 0 or args.patience <= 0:
        parser.error("--runs, --jobs, --time-limit and --patience must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Plan, run, report."""
    args = parse_args(argv)
    if args.only:
        run_ids = [int(part) for part in args.only.split(",") if part.strip()]
    else:
        run_ids = list(range(args.runs))
    plans = [plan_run(args.seed, run_id) for run_id in run_ids]
    command = (f"python evaluation/fault_campaign.py --runs {args.runs} --seed {args.seed} "
               f"--jobs {args.jobs} --time-limit {args.time_limit:g} "
               f"--patience {args.patience:g}")
    # The worker ends a run over budget itself (and reports where it was); the parent's time
    # limit catches a worker that does not answer at all (close() hangs, a deadlock).
    budget = max(args.time_limit * 0.75, args.time_limit - 20.0)
    records: list[dict[str, Any]] = []
    started = time.monotonic()

    def done(record: dict[str, Any]) -> None:
        records.append(record)
        flags = []
        if record.get("tracebacks"):
            flags.append(f"{len(record['tracebacks'])} traceback(s)")
        print(f"[{len(records)}/{len(plans)}] {record['describe']} -> {record.get('outcome')} "
              f"in {record.get('seconds', 0):.1f}s {' '.join(flags)}".rstrip(),
              file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="pasboks-campaign-") as directory:
        pool = CampaignPool(min(args.jobs, len(plans)), args.time_limit, args.patience, budget,
                            directory)
        try:
            pool.run(plans, done)
        finally:
            pool.close()
    wall = time.monotonic() - started
    records.sort(key=lambda r: r["run_id"])
    summary = summarise(records)
    bad = problems(records)
    report = {"command": command, "argv": sys.argv, "wall_seconds": round(wall, 1),
              "summary": summary, "records": records}
    if args.save is not None:
        args.save.write_text(json.dumps(report, indent=1, default=str))
    if args.json:
        print(json.dumps(report, indent=1, default=str))
        return 0
    print(f"Fault campaign: {len(records)} runs, seed {args.seed}, {args.jobs} jobs, "
          f"time limit {args.time_limit:g} s, patience {args.patience:g} s, "
          f"wall time {wall / 60:.1f} min")
    print(format_table(summary))
    totals = summary["totals"]
    print(f"\nTotals: {totals['runs']} runs; completed {totals['completed']}, refused "
          f"{totals['refused']}, staff {totals['staff']}, aborted {totals['aborted']}; "
          f"tracebacks {totals['tracebacks']}, hangs {totals['hang']}, stuck {totals['stuck']}")
    print("A run with two faults counts in both rows; totals count runs once.")
    if bad:
        print(f"\nProblem runs ({len(bad)}):")
        for record in bad:
            print(format_problem(record, command))
    print(f"\nReproduce: {command}" + (f" --only {args.only}" if args.only else ""))
    print(f"(invoked as: {shlex.join([sys.executable, *sys.argv])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
