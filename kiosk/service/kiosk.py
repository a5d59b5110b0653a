"""The kiosk service: owns one kiosk's devices, session and step runners; front-ends subscribe.

Everything that changes the session happens on the service's own thread, in order: citizen
commands (``press``, ``send``), staff actions (``staff``), runner results and the inactivity
clock. So the session needs no locks, and it is the only place events reach the session.
What happens is published on :attr:`bus`.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

from drivers.errors import DeviceError
from drivers.interfaces import Device, Health
from kiosk.config import KioskConfig
from kiosk.devices import Devices
from kiosk.service.bus import Bus
from kiosk.service.buttons import (
    HEALTH_CHECK,
    LIFT_RESET,
    SEATED,
    SIGN_OUT,
    STAFF_SEATED,
    event_for,
    is_staff_button,
    staff_event_for,
)
from kiosk.service.devtools import DeveloperControls
from kiosk.service.messages import (
    ApplicationCompleted,
    DeviceHealth,
    HelpAcknowledged,
    HelpRequested,
    LanguageChanged,
    Message,
    ReceiptNotPrinted,
    Refused,
    ServiceAvailability,
    StaffActionTaken,
    StaffNotice,
    StaffRefused,
    StaffSignedIn,
    StaffSignedOut,
    StaffSignInFailed,
    StateChanged,
    StepProgress,
)
from kiosk.service.runners import (
    RUNNERS,
    FingerprintRunner,
    PhotoRunner,
    StepInput,
    StepRunner,
)
from kiosk.systemd import Heartbeats
from kiosk.workflow import IllegalEventError, Session, State
from kiosk.workflow import events as ev

if TYPE_CHECKING:
    from kiosk.audit import AuditTrail
    from kiosk.staff.accounts import SignInResult, StaffAccounts
    from kiosk.steps.fingerprints import FingerStep
    from kiosk.store.db import ApplicationStore

log = logging.getLogger(__name__)
audit = logging.getLogger("pasboks.audit")

T = TypeVar("T")

#: States during which the finger sequence is kept (an overlay returns to it).
KEEP_FINGERS = frozenset({State.FINGERPRINTS, State.HELP, State.DEVICE_ERROR,
                          State.INACTIVITY_WARNING})
#: The actor of what the kiosk does by itself (audited like a staff member's action).
SYSTEM = "system"
#: How often the service's thread looks at the inactivity clock (seconds).
TICK_S = 0.2
#: States where the citizen's session has ended: a librarian signed in at the kiosk is
#: signed out (the next citizen must not find staff rights open).
SESSION_ENDS = frozenset({State.WELCOME, State.DONE, State.ABORTED})
#: Longest staff notice shown on the kiosk's screen (characters).
NOTICE_MAX = 200
#: Characters a notice must not carry to the screen (controls, and Unicode's bidi overrides
#: and invisible formatting that could disguise the text).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def _warm_up_steps() -> None:
    """Import the photo step's face models (mediapipe) and the fingerprint step's core
    (scikit-image, the matcher) before a citizen reaches them: seconds of imports, which the
    steps would otherwise spend while the citizen waits, on a busy machine 1.3 s on the
    service's own thread as the fingerprint step begins."""
    try:
        from kiosk.photo.mediapipe_solutions import solutions

        solutions()
        import kiosk.steps.fingerprints  # noqa: F401
    except Exception:  # noqa: BLE001 - each step loads them again and reports a failure
        log.warning("the steps' modules could not be loaded ahead", exc_info=True)


class KioskService:
    """One kiosk: configuration, devices, the session, and one runner per device state."""

    def __init__(self, config: KioskConfig, devices: Devices,
                 today: Callable[[], dt.date] = dt.date.today, *,
                 store: ApplicationStore | None = None, store_problem: str | None = None,
                 trail: AuditTrail | None = None) -> None:
        self.config = config
        self.devices = devices
        self._today = today
        self.bus = Bus()
        #: Loops besides the service's (the touchscreen's) that vouch for the watchdog.
        self.heartbeats = Heartbeats()
        #: Where finished applications wait for the caseworker (None: it could not be opened,
        #: and ``store_problem`` says why; the kiosk then starts out of service).
        self.store = store
        self.store_problem = store_problem
        #: The audit trail (JSON lines; codes and references only).
        self.trail = trail
        timeouts = config.timeouts
        self.session = Session(config.language,
                               inactivity_warning_s=timeouts.inactivity_warning_s,
                               inactivity_grace_s=timeouts.inactivity_grace_s,
                               done_return_s=timeouts.done_return_s,
                               help_wait_s=timeouts.help_wait_s)
        self.session.listeners.append(self._on_transition)
        #: Developer controls of an attached simulator (the F12 panel), None on hardware.
        self.devtools: DeveloperControls | None = None
        self._closers: list[Callable[[], None]] = []
        self._inbox: queue.Queue[Callable[[], None]] = queue.Queue()
        self._runner: StepRunner | None = None
        self._previous_runner: StepRunner | None = None
        self._fingers: FingerStep | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Loads the steps' heavy modules while the kiosk waits for a citizen.
        self._warm_up: threading.Thread | None = None
        self._closed = False
        #: Staff sign-in at the kiosk: the accounts (opened on first use), who is signed in
        #: and when they last tapped a staff control (monotonic).
        self._accounts: StaffAccounts | None = None
        self._staff_name: str | None = None
        self._staff_seen = 0.0
        #: The photo check the live frames fail now (what a librarian may override).
        self._photo_failing: str | None = None
        #: Seated mode for the camera lift, for this citizen's session.
        self._seated = False
        #: A dialog (language choice, the Stop question) covers the photo screen.
        self._photo_held = False
        #: The last application's receipt could not be printed (the done screen says so).
        self.receipt_failed = False

    # --- lifecycle ------------------------------------------------------------------------

    def start(self, open_devices: bool = True) -> KioskService:
        """Run the service's thread; it first opens the devices (a camera takes a few hundred
        ms), so the first screen does not wait for them, while every command waits its turn
        behind the opening. A device that fails to open is reported by the step that needs it.
        """
        self._thread = threading.Thread(target=self._loop, args=(open_devices,),
                                        name="kiosk-service", daemon=True)
        self._thread.start()
        return self

    def _open_devices(self) -> None:
        for name, device in self.devices.items():
            if self._stop.is_set():
                return
            try:
                device.open()
            except DeviceError as error:
                log.warning("%s", error.staff_message)
            else:
                log.info("%s opened (%s)", name, type(device).__name__)

    def on_close(self, closer: Callable[[], None]) -> None:
        """Call ``closer`` when the service closes (after the devices), newest first."""
        self._closers.append(closer)

    def close(self) -> None:
        """Stop the runners and the service's thread, close the devices. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for runner in (self._runner, self._previous_runner):
            if runner is not None:
                runner.cancel()
                runner.join(timeout=5)
        for _name, device in self.devices.items():
            device.close()
        if self._warm_up is not None:
            # An import cannot be interrupted, and native code still loading as the
            # interpreter shuts down aborts the process: let it end.
            self._warm_up.join(timeout=60)
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:  # closing must go on: the rest still hold resources
                log.exception("closing %s failed", getattr(closer, "__qualname__", closer))

    @property
    def state(self) -> State:
        """The session's state now."""
        return self.session.state

    # --- commands (any thread) --------------------------------------------------------------

    def press(self, button: str) -> Future[State]:
        """The citizen (or staff at the kiosk) pressed ``button`` on the screen showing now."""
        return self._call(lambda: self._press(button))

    def send(self, event: ev.Event) -> Future[State]:
        """Apply a workflow event (a stale one, e.g. a double tap, is ignored)."""
        return self._call(lambda: self._handle(event))

    def staff(self, event: ev.StaffEvent) -> Future[State]:
        """A staff action from an authenticated front-end (the console: ``console:<name>``);
        the actor is recorded and audited. Buttons at the kiosk go through :meth:`press`."""
        return self.send(event)

    # --- staff at the kiosk ---------------------------------------------------------------

    @property
    def photo_failing(self) -> str | None:
        """The photo check (defect code) the live frames fail now, for staff to override."""
        return self._photo_failing

    @property
    def staff_signed_in(self) -> str | None:
        """The staff name signed in at the kiosk's screen, or None."""
        return self._staff_name

    def use_staff_accounts(self, accounts: StaffAccounts) -> None:
        """Check sign-ins against ``accounts`` instead of ``config.staff.accounts_file``
        (a simulation's own throwaway accounts)."""
        self._accounts = accounts

    def sign_in(self, name: str, pin: str) -> Future[SignInResult]:
        """A librarian signs in at the kiosk's screen with their name and PIN.

        The PIN is checked on a thread of its own (argon2id takes a tenth of a second), then
        the result is applied on the service's thread: on success ``name`` is the actor of
        every staff button until the staff session ends. Audited and published either way;
        the PIN is never kept, logged or audited.
        """
        from kiosk.staff.accounts import SignInResult, StaffError

        future: Future[SignInResult] = Future()

        def check() -> None:
            try:
                result = self._staff_accounts().verify(name, pin)
            except StaffError as error:
                log.error("staff sign-in impossible: %s", error)
                result = SignInResult("unavailable")
            except Exception as error:  # the sign-in screen must get an answer
                log.exception("staff sign-in failed")
                future.set_exception(error)
                return
            applied = self._call(lambda: self._signed_in(name, result))
            applied.add_done_callback(lambda done: future.set_result(result))

        threading.Thread(target=check, name="staff-sign-in", daemon=True).start()
        return future

    def sign_out(self) -> Future[None]:
        """End the staff session at the kiosk (nothing happens when nobody is signed in)."""
        return self._call(lambda: self._end_staff_session("signed_out"))

    def staff_touch(self) -> None:
        """A librarian tapped something in staff mode: the staff session stays open."""
        def seen() -> None:
            if self._staff_name is not None:
                self._staff_seen = time.monotonic()

        self._inbox.put(seen)

    def post_notice(self, text: str, actor: str) -> None:
        """Show a librarian's short message (from the console) on the kiosk's screen.

        Control and invisible formatting characters are dropped, whitespace collapsed and the
        text cut to 200 characters. Audited as ``staff_notice`` without the text.
        """
        shown = _INVISIBLE.sub("", _CONTROL.sub(" ", text))
        cleaned = " ".join(shown.split())[:NOTICE_MAX]
        if not cleaned:
            log.warning("empty staff notice from %s ignored", actor)
            return
        self._audit("staff_notice", actor=actor, length=len(cleaned))
        self.publish(StaffNotice(kiosk_id=self.config.kiosk_id, actor=actor, text=cleaned))

    def touch(self) -> None:
        """The citizen touched the screen: restart the inactivity clock."""
        self._inbox.put(self.session.touch)

    def request_health_check(self) -> None:
        """Probe every device on a thread; each result is published as DeviceHealth."""
        threading.Thread(target=self._probe_all, name="health-check", daemon=True).start()

    def check_devices(self) -> list[tuple[str, Device, Health]]:
        """Open and probe each device: the self-test behind ``kiosk devices check``."""
        results = []
        for name, device in self.devices.items():
            started = time.perf_counter()
            try:
                device.open()
            except DeviceError as error:
                health = Health(False, error.detail, (time.perf_counter() - started) * 1000,
                                code=error.code)
            else:
                health = device.probe()
            results.append((name, device, health))
        return results

    def publish(self, message: Message) -> None:
        """Publish a message to every subscriber."""
        if isinstance(message, StepProgress) and message.state is State.PHOTO:
            # What staff would override if asked now (a tuple swap: atomic across threads).
            self._photo_failing = message.defects[0] if message.defects else None
        self.bus.publish(message)

    # --- what runners use ---------------------------------------------------------------------

    def today(self) -> dt.date:
        """Today's date, for the document core."""
        return self._today()

    def finish(self, runner: StepRunner, event: ev.Event) -> None:
        """A runner's result: applied only while that runner is the current one."""
        def apply() -> State:
            if runner is self._runner and not runner.cancelled:
                return self._handle(event)
            return self.session.state

        self._call(apply)

    def activity(self) -> None:
        """The citizen did something at a device."""
        self.touch()

    # --- the service's thread -------------------------------------------------------------

    def _call(self, function: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(function())
            except BaseException as error:  # handed to the caller through the future
                future.set_exception(error)

        if self._thread is threading.current_thread():
            run()
        else:
            self._inbox.put(run)
        return future

    def _loop(self, open_devices: bool) -> None:
        from kiosk import systemd

        if open_devices:
            self._open_devices()
            self._warm_up = threading.Thread(target=_warm_up_steps, name="steps-warm-up",
                                             daemon=True)
            self._warm_up.start()
        if self.store is None and self.store_problem is not None:
            # No application could be kept: citizens must not spend ten minutes for nothing.
            self._handle(ev.TakeOutOfService(actor=SYSTEM, reason=f"storage_{self.store_problem}"))
        # Under systemd (Type=notify): ready once the devices are open, and the watchdog pinged
        # from this loop only, so a command that hangs here gets the kiosk restarted; so does
        # a registered loop (the touchscreen's) that stops beating.
        watchdog = systemd.Watchdog()
        hung_reported = False
        systemd.ready(f"kiosk {self.config.kiosk_id} running")
        while not self._stop.is_set():
            try:
                command = self._inbox.get(timeout=TICK_S)
            except queue.Empty:
                pass
            else:
                command()
            self.session.tick()
            stalled = self.heartbeats.stalled()
            if not stalled:
                watchdog.tick()
                hung_reported = False
            elif not hung_reported:
                # No pings: systemd restarts the kiosk when the watchdog runs out.
                log.error("watchdog: %s stopped answering; pings stop", ", ".join(stalled))
                hung_reported = True
            if (self._staff_name is not None
                    and time.monotonic() - self._staff_seen >= self.config.staff.idle_s):
                self._end_staff_session("idle")
        systemd.stopping()

    def _press(self, button: str) -> State:
        state = self.session.state
        if button == SIGN_OUT:
            self._end_staff_session("signed_out")
            return state
        if is_staff_button(button):
            return self._staff_press(button)
        if button == SEATED and state is State.PHOTO:
            self._set_seated(not self._seated)
            return state
        try:
            event = event_for(state, button)
        except KeyError:
            log.warning("button %r is not on the %s screen", button, state.value)
            return state
        if event is None:
            return state
        return self._handle(event)

    def _staff_press(self, button: str) -> State:
        """A staff button at the kiosk: refused without a staff sign-in, else the signed-in
        librarian's action."""
        state = self.session.state
        actor = self._staff_name
        if actor is None:
            shown = _INVISIBLE.sub("", _CONTROL.sub("", button))[:64]
            log.warning("staff button %r pressed without a staff sign-in: refused", shown)
            self._audit("staff_refused", button=shown, state=state.value)
            self.publish(StaffRefused(kiosk_id=self.config.kiosk_id, button=shown))
            return state
        self._staff_seen = time.monotonic()
        if button == HEALTH_CHECK:
            self._audit("staff_action", actor=actor, action="HealthCheck")
            self.request_health_check()
            return state
        if button == STAFF_SEATED:
            self._audit("staff_action", actor=actor, action="Seated")
            self._set_seated(True)
            return state
        if button == LIFT_RESET:
            self._audit("staff_action", actor=actor, action="LiftReset")
            threading.Thread(target=self._reset_lift, name="lift-reset", daemon=True).start()
            return state
        step = self.session.underneath if state is State.HELP else state
        event = staff_event_for(step, button, actor,
                                override_reasons=self.config.staff.override_reasons,
                                failing_check=self._photo_failing)
        if event is None:
            log.warning("staff button %r does nothing on the %s screen", button, state.value)
            return state
        if state is State.HELP and isinstance(event, ev.MarkFingerUnavailable | ev.OverrideCheck):
            # The librarian answers the call by acting on the step: the citizen goes back to it.
            self._handle(ev.DismissHelp())
        return self._handle(event)

    @property
    def photo_held(self) -> bool:
        """A dialog covers the photo screen: no photo is taken (see :meth:`hold_photo`)."""
        return self._photo_held

    def hold_photo(self, held: bool) -> Future[None]:
        """A dialog covers the photo screen (True) or was closed (False).

        While it is open, no photo is taken: the citizen would not see the 3-2-1 and would be
        looking at the dialog. Any state change ends the hold (a new screen has no dialog).
        """
        return self._call(lambda: self._hold_photo(held))

    def _hold_photo(self, held: bool) -> None:
        self._photo_held = held
        if isinstance(self._runner, PhotoRunner):
            self._runner.held = held

    def _set_seated(self, seated: bool) -> None:
        """Seated mode on or off; a photo step under way uses it at once."""
        self._seated = seated
        log.info("seated mode %s", "on" if seated else "off")
        if isinstance(self._runner, PhotoRunner):
            self._runner.seated = seated

    def _reset_lift(self) -> None:
        """Clear the camera lift's latched stall or obstruction and publish its health (on a
        thread: the controller answers within its reply timeout)."""
        lift = self.devices.lift
        if lift is None:
            return
        try:
            lift.reset()
        except DeviceError as error:
            log.warning("lift reset failed: %s", error.staff_message)
        health = lift.probe()
        self.publish(DeviceHealth(kiosk_id=self.config.kiosk_id, device="lift", ok=health.ok,
                                  code=health.code, detail=health.detail,
                                  latency_ms=health.latency_ms, probed=True))

    def _staff_accounts(self) -> StaffAccounts:
        if self._accounts is None:
            from kiosk.staff.accounts import StaffAccounts

            self._accounts = StaffAccounts.open(self.config)
        return self._accounts

    def _signed_in(self, name: str, result: SignInResult) -> None:
        """A sign-in's result, on the service's thread."""
        kiosk_id = self.config.kiosk_id
        if result.ok:
            if self._staff_name is not None and self._staff_name != result.name:
                self._end_staff_session("signed_out")
            self._staff_name, self._staff_seen = result.name, time.monotonic()
            log.info("staff signed in")
            self._audit("staff_signed_in", actor=result.name)
            self.publish(StaffSignedIn(kiosk_id=kiosk_id, actor=result.name))
        elif result.locked:
            log.warning("staff sign-in locked for %.0f s", result.retry_after_s)
            self._audit("staff_locked", result="refused",
                        retry_after_s=round(result.retry_after_s))
            self.publish(StaffSignInFailed(kiosk_id=kiosk_id, reason="locked",
                                           retry_after_s=result.retry_after_s))
        else:
            # A wrong PIN names a real account; an unknown name may be a PIN typed in the
            # wrong field, so it is not written down.
            log.warning("staff sign-in failed (%s)", result.status)
            self._audit("staff_sign_in_failed", result="refused",
                        actor=name if result.status == "wrong" else None,
                        reason=result.status)
            self.publish(StaffSignInFailed(
                kiosk_id=kiosk_id,
                reason="unavailable" if result.status == "unavailable" else "refused"))

    def _end_staff_session(self, reason: str) -> None:
        actor = self._staff_name
        if actor is None:
            return
        self._staff_name = None
        log.info("staff signed out (%s)", reason)
        self._audit("staff_signed_out", actor=actor, reason=reason)
        self.publish(StaffSignedOut(kiosk_id=self.config.kiosk_id, actor=actor, reason=reason))

    def _handle(self, event: ev.Event) -> State:
        try:
            return self.session.handle(event)
        except IllegalEventError as error:
            log.warning("ignored: %s", error)
            return self.session.state

    def _on_transition(self, old: State, new: State, event: ev.Event) -> None:
        """Runs inside ``Session.handle`` on the service's thread."""
        kiosk_id = self.config.kiosk_id
        actor = event.actor if isinstance(event, ev.StaffEvent) else None
        # States, event names and codes only: the audit trail carries no personal data.
        audit.info("%s -> %s on %s", old.value, new.value, type(event).__name__)
        if actor is not None:
            audit.info("staff %s: %s reason=%s kiosk=%s", actor, type(event).__name__,
                       getattr(event, "reason", "") or "-", kiosk_id)
        if new is State.WELCOME and old is not State.WELCOME:
            # The next citizen starts in the kiosk's default language.
            self.session.data.language = self.config.language
        if old is new:
            self._stayed(event)
        else:
            self._moved(old, new, event)
            self.publish(StateChanged(kiosk_id=kiosk_id, old=old, new=new,
                                      event=type(event).__name__,
                                      underneath=self.session.underneath,
                                      language=self.session.data.language, actor=actor))
        self._announce(new, old, event, actor)
        if new in SESSION_ENDS and old is not new:
            self._end_staff_session("session_ended")

    def _stayed(self, event: ev.Event) -> None:
        """A recorded staff event that changes no screen."""
        if isinstance(event, ev.MarkFingerUnavailable) and self._fingers is not None:
            try:
                self._fingers.mark_unavailable(event.reason)
            except ValueError:
                log.warning("unknown reason %r for an unavailable finger", event.reason)
                return
            if isinstance(self._runner, FingerprintRunner):
                # Show the next finger at once, not after the reader's poll.
                self._runner.show_request()
        elif isinstance(event, ev.OverrideCheck) and isinstance(self._runner, PhotoRunner):
            # The live capture stops waiting for the overridden check.
            self._runner.waive(event.check)

    def _moved(self, old: State, new: State, event: ev.Event) -> None:
        self._photo_held = False
        if self._runner is not None:
            self._runner.cancel()
            self._previous_runner = self._runner
            self._runner = None
        if new not in KEEP_FINGERS:
            self._fingers = None
        if new in SESSION_ENDS:
            self._seated = False
        runner_type = RUNNERS.get(new)
        if runner_type is None:
            return
        if runner_type is PhotoRunner:
            self._photo_failing = None
        step = StepInput(self.session.data,
                         retrying=old is State.DEVICE_ERROR and isinstance(event, ev.RetryDevice))
        if runner_type is FingerprintRunner:
            if self._fingers is None:
                from kiosk.steps.fingerprints import FingerStep

                document = self.session.data.document
                self._fingers = FingerStep(self.config.fingerprint,
                                           age=document.age if document else None)
            runner: StepRunner = FingerprintRunner(self, step, self._fingers)
        else:
            runner = runner_type(self, step)
        if isinstance(runner, PhotoRunner):
            runner.seated = self._seated
        self._runner = runner
        runner.start(after=self._previous_runner)

    def _announce(self, new: State, old: State, event: ev.Event, actor: str | None) -> None:
        """The news beyond the state change, for consoles and the hand-off."""
        kiosk_id = self.config.kiosk_id
        data = self.session.data
        if actor is not None:
            self._audit("staff_action", actor=actor, action=type(event).__name__,
                        reason=str(getattr(event, "reason", "")) or None)
            self.publish(StaffActionTaken(kiosk_id=kiosk_id, actor=actor,
                                          action=type(event).__name__,
                                          reason=str(getattr(event, "reason", ""))))
        match event:
            case ev.RequestHelp() if new is State.HELP:
                audit.info("staff called at %s", (self.session.underneath or old).value)
                self._audit("help_requested", state=(self.session.underneath or old).value)
                self.publish(HelpRequested(kiosk_id=kiosk_id,
                                           state=self.session.underneath or old))
            case ev.SetLanguage(language=language):
                self.publish(LanguageChanged(kiosk_id=kiosk_id, language=language))
            case ev.AcknowledgeHelp(actor=who):
                self.publish(HelpAcknowledged(kiosk_id=kiosk_id, actor=who))
            case ev.DeviceFailed(device=device, code=code):
                self.publish(DeviceHealth(kiosk_id=kiosk_id, device=device, ok=False,
                                          code=code))
            case ev.DocumentRead() if new is State.REFUSED and data.refusal:
                self._audit("refused", reason=data.refusal)
                self.publish(Refused(kiosk_id=kiosk_id, reason=data.refusal))
            case ev.HandoffCompleted(reference=reference):
                self.publish(ApplicationCompleted(kiosk_id=kiosk_id, reference=reference))
                self._print_receipt(reference, data.language)
            case ev.TakeOutOfService(actor=who, reason=reason):
                self.publish(ServiceAvailability(kiosk_id=kiosk_id, in_service=False,
                                                 actor=who, reason=reason))
            case ev.PutBackInService(actor=who):
                self.publish(ServiceAvailability(kiosk_id=kiosk_id, in_service=True,
                                                 actor=who))
            case _:
                pass

    def _audit(self, event: str, *, actor: str | None = None, result: str = "ok",
               **codes: str | int | float | None) -> None:
        if self.trail is None:
            return
        try:
            self.trail.record(event, actor=actor, result=result,
                              **codes)  # type: ignore[arg-type]  # codes never name "reference"
        except (OSError, ValueError) as error:
            log.error("audit trail not written (%s): %s", type(error).__name__, event)

    # --- the receipt ------------------------------------------------------------------------

    def _print_receipt(self, reference: str, language: str) -> None:
        """Print the citizen's receipt on a thread of its own: the done screen (with the
        reference) never waits for the printer, whatever the printer does."""
        printer = self.devices.printer
        self.receipt_failed = False
        if printer is None:
            return
        day = self.today()

        def job() -> None:
            from kiosk.receipt import build_receipt

            try:
                printer.print_receipt(build_receipt(reference, language, day))
            except DeviceError as error:
                self._receipt_failed(error.code, error.staff_message, language)
            except Exception:  # a bug must not leave the citizen without the news
                log.exception("receipt printing failed")
                self._receipt_failed("internal_error", "internal error", language)
            else:
                log.info("receipt printed")
                self._audit("receipt_printed")
                self.publish(DeviceHealth(kiosk_id=self.config.kiosk_id, device="printer",
                                          ok=True))

        threading.Thread(target=job, name="receipt", daemon=True).start()

    def _receipt_failed(self, code: str, detail: str, language: str) -> None:
        """Staff see the printer's fault (device status, log, audit); a citizen still on the
        done screen is asked to write the number down."""
        log.warning("receipt not printed (%s): %s", code, detail)
        self._audit("receipt_not_printed", result=code)
        self.publish(DeviceHealth(kiosk_id=self.config.kiosk_id, device="printer", ok=False,
                                  code=code, detail=detail))

        def tell_citizen() -> None:
            if self.session.state is State.DONE:
                self.receipt_failed = True
                self.publish(ReceiptNotPrinted(kiosk_id=self.config.kiosk_id, code=code))

        self._call(tell_citizen)

    def _probe_all(self) -> None:
        # Two threads on one serial line garble it: let a step that was just cancelled (help
        # was pressed) let go first, and leave the device of a running step alone.
        previous = self._previous_runner
        if previous is not None:
            previous.join(timeout=5)
        current = self._runner
        busy = current.device if current is not None and not current.cancelled else None
        for name, device in self.devices.items():
            if name == busy:
                self.publish(DeviceHealth(kiosk_id=self.config.kiosk_id, device=name, ok=True,
                                          detail="in use by the current step", probed=True))
                continue
            health = device.probe()
            self.publish(DeviceHealth(kiosk_id=self.config.kiosk_id, device=name, ok=health.ok,
                                      code=health.code, detail=health.detail,
                                      latency_ms=health.latency_ms, probed=True))
