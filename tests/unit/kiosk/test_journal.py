"""The journal handler speaks journald's native protocol over a real Unix datagram socket."""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.journal import MAX_MESSAGE, JournalHandler, field, priority


def parse(datagram: bytes) -> dict[str, str]:
    """journald's side: KEY=value lines, or KEY, newline, 64-bit length, bytes, newline."""
    fields, rest = {}, datagram
    while rest:
        line, _, after = rest.partition(b"\n")
        if b"=" in line:
            key, _, value = line.partition(b"=")
            fields[key.decode()] = value.decode()
            rest = after
            continue
        (size,) = struct.unpack("<Q", after[:8])
        fields[line.decode()] = after[8:8 + size].decode()
        rest = after[8 + size + 1:]
    return fields


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[tuple[socket.socket, Path]]:
    path = tmp_path / "socket"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(5)
    yield server, path
    server.close()


def test_a_record_arrives_with_priority_identifier_and_logger(
        journal: tuple[socket.socket, Path]) -> None:
    server, path = journal
    log = logging.getLogger("pasboks.test.journal")
    handler = JournalHandler(path)
    log.addHandler(handler)
    try:
        log.warning("fingerprint: device_disconnected (%s)", "code F-12")
        log.error("two\nlines")
    finally:
        log.removeHandler(handler)
        handler.close()
    first, second = parse(server.recv(65536)), parse(server.recv(65536))
    assert first["MESSAGE"] == "fingerprint: device_disconnected (code F-12)"
    assert first["PRIORITY"] == "4" and second["PRIORITY"] == "3"
    assert first["SYSLOG_IDENTIFIER"] == "pasboks-kiosk"
    assert first["LOGGER"] == "pasboks.test.journal"
    assert second["MESSAGE"] == "two\nlines"


def test_no_journal_drops_the_record_quietly(tmp_path: Path) -> None:
    handler = JournalHandler(tmp_path / "absent")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    handler.emit(record)  # must not raise: the file log has it
    handler.close()
    assert handler.path == tmp_path / "absent"


def test_long_messages_are_cut_to_one_datagram(journal: tuple[socket.socket, Path]) -> None:
    server, path = journal
    handler = JournalHandler(path)
    handler.emit(logging.LogRecord("x", logging.INFO, __file__, 1, "y" * 200_000, None, None))
    handler.close()
    assert parse(server.recv(262144))["MESSAGE"] == "y" * MAX_MESSAGE


def test_levels_map_to_syslog_priorities() -> None:
    assert [priority(level) for level in (50, 40, 30, 20, 10, 5, 35)] == [2, 3, 4, 6, 7, 7, 4]


@given(st.text(max_size=200))
def test_any_value_round_trips(value: str) -> None:
    encoded = value.encode("utf-8", "replace").decode("utf-8")
    assert parse(field("MESSAGE", value)) == {"MESSAGE": encoded}
