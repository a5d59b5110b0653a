"""The retention sweeper: deletes applications past their window on a clock, not lazily."""

from __future__ import annotations

import logging
import threading

from kiosk.store.db import ApplicationStore
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)


class Sweeper:
    """Runs ``store.sweep()`` now and then every ``every_s`` seconds on its own thread."""

    def __init__(self, store: ApplicationStore, every_s: float) -> None:
        self.store = store
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention-sweeper", daemon=True)

    def start(self) -> Sweeper:
        """Start sweeping (the first sweep runs at once: a kiosk that was off catches up)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the sweep in progress, if any."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deleted = self.store.sweep()
            except StoreError as error:
                log.error("retention sweep failed: %s", error.code)
            else:
                if deleted:
                    log.info("retention sweep deleted %d application(s)", len(deleted))
            self._stop.wait(self.every_s)
