"""``kiosk console demo``: a console and three simulated kiosks on this machine.

The kiosks run in this process, each built by the composition root on its own simulator with
its own ``kiosk_id`` and its own link to the console. Scripted citizens (a few taps each; the
simulated citizen does the device work) play on a loop: one asks for help and waits until a
librarian acknowledges it (a moment later the librarian "arrives" and closes the help screen),
one is refused (an expired passport, ``expired-document``), one completes (``happy``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.composition import Kiosk, StartupError, build_kiosk
from kiosk.config import ConsoleSettings, KioskConfig
from kiosk.console.accounts import AccountsError, Librarians, ensure_account
from kiosk.console.server import RunningConsole, start_console
from kiosk.console.tls import SetupError
from kiosk.workflow import State

log = logging.getLogger(__name__)

DEMO_USER = "demo"
DEMO_PIN = "123456"

#: A script step: on this screen, after this many seconds, tap this button.
Script = tuple[tuple[str, float, str], ...]


@dataclass(frozen=True)
class Role:
    """One demo kiosk: who stands at it and what they do."""

    kiosk_id: str
    name: str
    place: str
    scenario: str
    script: Script
    #: Seconds before the citizen comes (so the three do not start at once).
    arrives_after_s: float = 0.0


ROLES = (
    Role("pasboks-demo-1", "Kiosk 1", "Ørestad Library, ground floor", "help-call",
         (("welcome", 1.0, "choose-en"), ("welcome", 2.0, "help")), arrives_after_s=4.0),
    Role("pasboks-demo-2", "Kiosk 2", "Ørestad Library, first floor", "expired-document",
         (("welcome", 0.5, "choose-en"), ("welcome", 1.0, "start"), ("refused", 25.0, "finish")),
         arrives_after_s=2.0),
    Role("pasboks-demo-3", "Kiosk 3", "Main Library, citizen service corner", "happy",
         (("welcome", 0.5, "choose-en"), ("welcome", 1.0, "start"),
          ("photo_review", 2.0, "accept"), ("summary", 2.0, "continue"),
          ("consent", 2.0, "consent"),
          ("done", 10.0, "finish"))),
)


class DemoError(Exception):
    """The demo cannot start (one line)."""


@dataclass
class Demo:
    """A running demo: the console, the kiosks and their scripted citizens."""

    console: RunningConsole
    kiosks: list[Kiosk]
    roles: tuple[Role, ...]
    account_made: bool
    #: Pause between two visits at one kiosk (seconds).
    pause_s: float = 20.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def play(self, which: Callable[[Role], bool] = lambda role: True) -> None:
        """Start the scripted citizens (of the roles ``which`` picks), each on a loop."""
        for kiosk, role in zip(self.kiosks, self.roles, strict=True):
            if which(role):
                thread = threading.Thread(target=self._citizen, args=(kiosk, role),
                                          name=f"demo-{role.kiosk_id}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        for kiosk in self.kiosks:
            kiosk.close()
        self.console.close()

    # --- the scripted citizens -------------------------------------------------------------

    def _citizen(self, kiosk: Kiosk, role: Role) -> None:
        if self._stop.wait(role.arrives_after_s):
            return
        while not self._stop.is_set():
            try:
                self._visit(kiosk, role)
            except Exception:  # a broken visit is logged; the demo goes on
                log.exception("the demo citizen at %s stumbled", role.kiosk_id)
            if self._stop.wait(self.pause_s):
                return

    def _visit(self, kiosk: Kiosk, role: Role) -> None:
        service = kiosk.service
        if not self._wait(lambda: service.state is State.WELCOME, 600):
            return
        for screen, delay, button in role.script:
            if not self._wait(lambda s=screen: service.state.value == s, 180):  # type: ignore[misc]
                return
            if self._stop.wait(delay):
                return
            if service.state.value == screen:
                service.press(button).result(timeout=10)
        if service.state is State.HELP:
            # The citizen waits; once a librarian said "I'm coming", they arrive a bit later.
            self._wait(lambda: service.session.data.help_acknowledged_by is not None
                       or service.state is not State.HELP, 600)
            if not self._stop.wait(8.0) and service.state is State.HELP:
                service.press("back").result(timeout=10)

    def _wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if self._stop.wait(0.1) or time.monotonic() > deadline:
                return False
        return True


def kiosk_config(config: KioskConfig, role: Role, console: RunningConsole) -> KioskConfig:
    """``config`` for one demo kiosk: its id, its simulator and its link to the console."""
    link = ConsoleSettings(url=console.link_url, token_file=console.tokens.path,
                           ca=console.tls.ca, name=role.name, place=role.place)
    simulator = config.simulator.model_copy(update={"enabled": True, "persona": role.scenario})
    return config.model_copy(update={"kiosk_id": role.kiosk_id, "console": link,
                                     "simulator": simulator})


def start_demo(config: KioskConfig, listen: str | None = None, *,
               librarians: Librarians | None = None, roles: tuple[Role, ...] = ROLES) -> Demo:
    """Start the console and the kiosks (the citizens start with ``Demo.play``)."""
    made = False
    if librarians is None:
        try:
            made = ensure_account(config, DEMO_USER, DEMO_PIN)
        except AccountsError as error:
            raise DemoError(str(error)) from None
    try:
        console = start_console(config, listen, librarians=librarians)
    except SetupError as error:
        raise DemoError(str(error)) from None
    kiosks: list[Kiosk] = []
    try:
        for role in roles:
            kiosks.append(build_kiosk(kiosk_config(config, role, console)))
    except StartupError as error:
        for kiosk in kiosks:
            kiosk.close()
        console.close()
        raise DemoError(str(error)) from None
    return Demo(console, kiosks, roles, made)
