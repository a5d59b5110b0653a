"""sd_notify over a real AF_UNIX datagram socket: the messages, the abstract-socket form, the
watchdog's pace, and that a hung kiosk loop stops the pings while a live one keeps them up."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import systemd
from tests.helpers.kiosk import simulated_kiosk, wait_until


class Listener:
    """What systemd does: a bound datagram socket that collects the notifications."""

    def __init__(self, sock: socket.socket, address: str) -> None:
        self.sock = sock
        #: The value for $NOTIFY_SOCKET.
        self.address = address
        self.messages: list[str] = []

    def receive(self, timeout: float = 30.0) -> str:
        """The next message; raises TimeoutError when none comes (a hang guard)."""
        self.sock.settimeout(timeout)
        message = self.sock.recv(4096).decode()
        self.messages.append(message)
        return message

    def drain(self) -> list[str]:
        """Every message already waiting."""
        self.sock.setblocking(False)
        got: list[str] = []
        try:
            while True:
                got.append(self.sock.recv(4096).decode())
        except BlockingIOError:
            pass
        self.messages.extend(got)
        return got

    def wait_for(self, field: str, timeout: float = 60.0) -> str:
        """Receive until a message holds the line ``field``."""
        while True:
            message = self.receive(timeout)
            if field in message.split("\n"):
                return message


@pytest.fixture
def abstract_listener() -> Iterator[Listener]:
    name = f"pasboks-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        yield Listener(sock, "@" + name)


@pytest.fixture
def path_listener(tmp_path: Path) -> Iterator[Listener]:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        yield Listener(sock, str(path))


def test_addresses_are_paths_or_abstract_names() -> None:
    assert systemd.socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert systemd.socket_address("@pasboks/notify") == "\0pasboks/notify"
    assert systemd.socket_address("") is None
    assert systemd.socket_address("vsock:2:1234") is None
    assert systemd.socket_address("relative/path") is None


def test_ready_reaches_a_socket_named_by_path(path_listener: Listener,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", path_listener.address)
    assert systemd.ready("kiosk up")
    assert path_listener.receive() == "READY=1\nSTATUS=kiosk up"


def test_messages_reach_an_abstract_socket(abstract_listener: Listener,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", abstract_listener.address)
    assert systemd.ready()
    assert systemd.notify("WATCHDOG=1")
    assert systemd.stopping()
    assert [abstract_listener.receive() for _ in range(3)] == [
        "READY=1", "WATCHDOG=1", "STOPPING=1"]


def test_without_systemd_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert systemd.ready() is False
    assert systemd.stopping() is False


def test_a_socket_that_is_gone_is_not_an_error(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens"))
    assert systemd.ready() is False


def test_watchdog_interval_is_half_the_timeout_for_this_process_only() -> None:
    own = str(os.getpid())
    assert systemd.watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert systemd.watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": own}) == 15.0
    assert systemd.watchdog_interval({"WATCHDOG_USEC": "30000000",
                                      "WATCHDOG_PID": str(os.getpid() + 1)}) is None
    assert systemd.watchdog_interval({}) is None
    assert systemd.watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert systemd.watchdog_interval({"WATCHDOG_USEC": "soon"}) is None


def test_the_watchdog_pings_once_per_interval(abstract_listener: Listener) -> None:
    now = [100.0]
    address = systemd.socket_address(abstract_listener.address)

    def send(*fields: str) -> bool:
        return systemd.notify(*fields, address=address)

    dog = systemd.Watchdog(5.0, clock=lambda: now[0], send=send)
    pinged = []
    for step in range(21):               # 0 .. 10 s of ticks, every half second
        now[0] = 100.0 + step * 0.5
        pinged.append(dog.tick())
    assert pinged.count(True) == 3       # at 0 s, 5 s and 10 s
    assert [abstract_listener.receive() for _ in range(3)] == ["WATCHDOG=1"] * 3
    assert abstract_listener.drain() == []


def test_no_watchdog_no_pings() -> None:
    sent: list[tuple[str, ...]] = []
    dog = systemd.Watchdog(0, send=lambda *fields: sent.append(fields) is None)
    assert not dog.enabled
    assert dog.tick() is False
    assert sent == []


def test_a_server_watch_pings_until_its_thread_dies(abstract_listener: Listener) -> None:
    address = systemd.socket_address(abstract_listener.address)
    dog = systemd.Watchdog(0.05, send=lambda *f: systemd.notify(*f, address=address))
    alive = threading.Event()
    alive.set()
    stop = threading.Event()
    thread = systemd.watch_while(alive.is_set, stop, dog)
    assert thread is not None
    abstract_listener.wait_for("WATCHDOG=1")
    alive.clear()                        # the server's thread died
    thread.join(timeout=30)
    assert not thread.is_alive()
    stop.set()


@pytest.fixture
def watched(abstract_listener: Listener, monkeypatch: pytest.MonkeyPatch) -> Listener:
    """systemd's environment for a notify service with a watchdog: a ping every 0.1 s."""
    monkeypatch.setenv("NOTIFY_SOCKET", abstract_listener.address)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")        # a ping every 0.1 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    return abstract_listener


def test_the_kiosk_loop_notifies_and_a_hung_loop_stops_the_pings(watched: Listener) -> None:
    abstract_listener = watched
    with simulated_kiosk() as kiosk:
        assert abstract_listener.wait_for("READY=1").startswith("READY=1\nSTATUS=kiosk ")
        abstract_listener.wait_for("WATCHDOG=1")

        # A command that hangs on the service's thread: the pings must stop.
        release = threading.Event()
        entered = threading.Event()

        def hang() -> None:
            entered.set()
            release.wait(60)

        done = kiosk.service._call(hang)
        wait_until(entered.is_set, lambda: "the hanging command never ran")
        abstract_listener.drain()        # pings sent before the command started
        with pytest.raises(TimeoutError):
            abstract_listener.receive(timeout=1.0)   # ten intervals without a ping
        release.set()
        done.result(timeout=30)
        abstract_listener.wait_for("WATCHDOG=1")     # alive again: the pings come back
    abstract_listener.wait_for("STOPPING=1")


def test_heartbeats_name_the_loops_that_stalled() -> None:
    now = [0.0]
    beats = systemd.Heartbeats(clock=lambda: now[0])
    ui, other = beats.register("touchscreen", 10.0), beats.register("voice", 2.0)
    now[0] = 5.0
    assert beats.stalled() == ["voice"]
    now[0] = 11.0
    other.beat()
    assert beats.stalled() == ["touchscreen"]
    ui.beat()
    assert beats.stalled() == []
    ui.close()
    now[0] = 100.0
    assert beats.stalled() == ["voice"]
    other.close()
    other.close()  # closing twice is harmless
    assert beats.stalled() == []


def test_a_stalled_touchscreen_stops_the_kiosk_pings(watched: Listener) -> None:
    abstract_listener = watched
    with simulated_kiosk() as kiosk:
        abstract_listener.wait_for("WATCHDOG=1")
        # A UI loop that beat once and then never again (a hung event loop).
        heartbeat = kiosk.service.heartbeats.register("touchscreen", 0.3)
        wait_until(lambda: kiosk.service.heartbeats.stalled() == ["touchscreen"],
                   lambda: "the heartbeat never counted as stalled")
        abstract_listener.drain()
        with pytest.raises(TimeoutError):
            abstract_listener.receive(timeout=1.0)   # ten intervals without a ping
        heartbeat.beat()
        heartbeat.close()
        abstract_listener.wait_for("WATCHDOG=1")     # alive again: the pings come back
