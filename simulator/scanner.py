"""Simulated MRZ reader on a pty: sends a presented document in its model's framing, with faults."""

from __future__ import annotations

import threading
from collections.abc import Callable, Container, Iterable, Mapping, Sequence

from drivers.mrz_encoders import encode_document, encode_idbox_packet
from simulator.faults import FaultSpec, ScriptStep, param_int
from simulator.models import ScannerModel, load_model
from simulator.serial_device import COMMON_FAULTS, SimulatedSerialDevice

#: Faults of the simulated scanner: the common ones plus document and checksum faults.
SCANNER_FAULTS = {
    **COMMON_FAULTS,
    "bad_checksum": FaultSpec("corrupt the block check of the next frame (3m framing only)"),
    "substitute": FaultSpec(
        "replace `count` (default 1) characters of the next document with the substitute char"
    ),
    "ocr_confusion": FaultSpec(
        "swap `count` (default 1) characters of the next document for OCR look-alikes"
    ),
    "missing_line": FaultSpec("drop line `index` (default 0) of the next document"),
    "short_line": FaultSpec("cut `chars` (default 5) characters off line `index` (default -1)"),
}


class SimulatedScanner(SimulatedSerialDevice):
    """An MRZ reader speaking its model's framing on a pty.

    Args:
        description: The model (see :func:`simulator.models.load_model`).
        name: Name of the stable symlink; defaults to the model name.
        pacing: Override the model's pacing (False for fast tests).
        baud: Override the model's baud rate.
        script: Scripted faults (events: ``present``).
        seed: Seed of the fault randomness.
    """

    def __init__(
        self,
        description: ScannerModel,
        *,
        name: str | None = None,
        pacing: bool | None = None,
        baud: int | None = None,
        script: Iterable[ScriptStep | Mapping[str, object]] = (),
        seed: int = 0,
    ) -> None:
        faults = dict(SCANNER_FAULTS)
        if description.framing.kind != "3m":
            del faults["bad_checksum"]  # only the 3M block carries a check character
        super().__init__(
            name or description.model,
            faults,
            baud=baud or description.link.baud,
            pacing=description.link.pacing if pacing is None else pacing,
            script=(*description.script, *script),
            seed=seed,
        )
        self.description = description
        self.framing = description.framing
        self._inbox = bytearray()
        self._document: tuple[str, ...] | None = None
        self._continuous = True

    @classmethod
    def from_model(
        cls,
        model: str,
        *,
        name: str | None = None,
        pacing: bool | None = None,
        baud: int | None = None,
        script: Iterable[ScriptStep | Mapping[str, object]] = (),
        seed: int = 0,
    ) -> SimulatedScanner:
        """A scanner of a described model, e.g. ``from_model("mrz-3m-rte6701", pacing=False)``."""
        description = load_model(model)
        if not isinstance(description, ScannerModel):
            raise ValueError(f"{model} is not a scanner model")
        return cls(description, name=name, pacing=pacing, baud=baud, script=script, seed=seed)

    # -- the citizen's side ------------------------------------------------------------------

    def present(self, lines: Sequence[str]) -> None:
        """A document is inserted: send its MRZ (after the model's reply delay), in background."""
        self._document = tuple(lines)
        self._event("present")
        if self.framing.kind == "idbox" and not self._continuous:
            return  # kept for the host's "I" inquiry
        threading.Thread(target=self._send_document, daemon=True).start()

    def remove(self) -> None:
        """The document is taken out."""
        self._document = None

    def _send_document(self) -> None:
        if self._document is None:
            return
        if self._silent("document not sent"):
            return
        self._delay(self.description.timing.reply_delay)
        self._send_frame(encode_document(self.framing, self._faulty(self._document)))

    def _faulty(self, lines: Sequence[str]) -> list[str]:
        """The lines as this (faulty) reader reads them."""
        out = list(lines)
        if (p := self._faults.take("missing_line")) is not None and len(out) > 1:
            del out[param_int(p, "index", 0)]
        if (p := self._faults.take("short_line")) is not None:
            index = param_int(p, "index", -1)
            out[index] = out[index][: max(0, len(out[index]) - param_int(p, "chars", 5))]
        if (p := self._faults.take("substitute")) is not None:
            out = self._replace(out, param_int(p, "count", 1), lambda _: self.substitute_char)
        if (p := self._faults.take("ocr_confusion")) is not None:
            pairs = dict(self.description.confusions)
            pairs.update({v: k for k, v in self.description.confusions.items()})
            out = self._replace(out, param_int(p, "count", 1), lambda c: pairs[c], pairs)
        return out

    @property
    def substitute_char(self) -> str:
        """The character sent for an unrecognised one."""
        return self.description.substitute_char

    def _replace(self, lines: list[str], count: int, swap: Callable[[str], str],
                 only: Container[str] | None = None) -> list[str]:
        """``count`` characters (of those in ``only``) at random places, swapped."""
        spots = [
            (i, j)
            for i, line in enumerate(lines)
            for j, c in enumerate(line)
            if only is None or c in only
        ]
        chars = [list(line) for line in lines]
        for i, j in self._rng.sample(spots, min(count, len(spots))):
            chars[i][j] = swap(chars[i][j])
        return ["".join(c) for c in chars]

    def _send_frame(self, frame: bytes) -> None:
        if self._faults.take("bad_checksum", "block check flipped") is not None:
            frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
        cut = self._truncate(frame)
        self.send(self._garbage() + (frame if cut is None else cut))

    # -- the host's side (IDBox requests) ----------------------------------------------------

    def handle(self, data: bytes) -> None:
        """IDBox hosts send ``V``/``W``/``R``/``T``/``I``/``C`` packets; other framings ignore."""
        if self.framing.kind != "idbox":
            return
        self._inbox += data
        while len(self._inbox) >= 3:
            length = int.from_bytes(self._inbox[1:3], "big")
            if len(self._inbox) < 3 + length:
                return
            command, payload = chr(self._inbox[0]), bytes(self._inbox[3 : 3 + length])
            del self._inbox[: 3 + length]
            self._request(command, payload)

    def _request(self, command: str, payload: bytes) -> None:
        if self._silent(f"request {command!r} ignored"):
            return
        if command == "C":
            self._continuous = payload[:1] == b"\x01"
        elif command == "I":
            if self._document is None:
                self.send(encode_idbox_packet("I"))
            else:
                self._send_document()
        elif command in self.description.info:
            self._delay(0.0)
            self._send_frame(encode_idbox_packet(command, self.description.info[command].encode()))

    def on_plug(self, plugged: bool) -> None:
        """A replugged reader starts afresh (continuous mode, empty input)."""
        super().on_plug(plugged)
        self._inbox.clear()
        self._continuous = True
