"""A thread-safe publish/subscribe stream of the service's messages.

Subscribers are callbacks (called on the publishing thread: they must be quick and must not
raise; a Textual app posts the message to its own loop) or queues (read from any thread with
``get``). A subscriber that did not ask for private messages never receives one
(:attr:`Message.private`: the citizen's camera frames).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from kiosk.service.messages import Message

log = logging.getLogger(__name__)

Callback = Callable[[Message], None]


class Subscription:
    """One subscriber; a queue subscription keeps at most ``maxsize`` messages (oldest dropped)."""

    def __init__(self, bus: Bus, callback: Callback | None, private: bool,
                 maxsize: int) -> None:
        self._bus = bus
        self.callback = callback
        self.private = private
        self._queue: queue.Queue[Message] = queue.Queue(maxsize)
        self.closed = False
        #: Messages dropped because a queue subscriber did not keep up.
        self.dropped = 0

    def deliver(self, message: Message) -> None:
        """Hand one message to the subscriber (the bus calls this)."""
        if self.closed or (message.private and not self.private):
            return
        if self.callback is not None:
            self.callback(message)
            return
        while True:
            try:
                self._queue.put_nowait(message)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def get(self, timeout: float | None = None) -> Message | None:
        """The next message (queue subscribers), or None when none came within ``timeout``."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        """Stop receiving messages."""
        self.closed = True
        self._bus.unsubscribe(self)


class Bus:
    """Delivers every published message to every subscriber, in publishing order."""

    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []
        self._lock = threading.Lock()
        # One message at a time, so every subscriber sees the same order.
        self._publishing = threading.RLock()

    def subscribe(self, callback: Callback | None = None, *, private: bool = False,
                  maxsize: int = 1000) -> Subscription:
        """Add a subscriber: a callback, or (without one) a queue read with ``get``."""
        subscription = Subscription(self, callback, private, maxsize)
        with self._lock:
            self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Remove a subscriber (closing a subscription does this)."""
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    def publish(self, message: Message) -> None:
        """Deliver ``message``. A failing subscriber is logged and skipped, never fatal."""
        with self._lock:
            subscribers = list(self._subscribers)
        with self._publishing:
            for subscription in subscribers:
                try:
                    subscription.deliver(message)
                except Exception:  # a broken subscriber must not stop the kiosk
                    log.exception("subscriber failed on %s", type(message).__name__)
