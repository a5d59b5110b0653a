"""Simulated device models described as data: one TOML per model in ``simulator/devices/``."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drivers.mrz_framing import MrzFraming
from simulator.faults import ScriptStep

DEVICES_DIR = Path(__file__).parent / "devices"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Link(_Frozen):
    """Line settings."""

    #: Baud rate the simulator paces its output to.
    baud: int = Field(9600, gt=0)
    #: Pace output; off makes tests fast.
    pacing: bool = True


class ScannerTiming(_Frozen):
    """How long the reader takes."""

    #: From document inserted to the first byte of its MRZ.
    reply_delay: float = Field(0.0, ge=0)


class ScannerModel(_Frozen):
    """An MRZ reader model."""

    model: str
    kind: Literal["scanner"] = "scanner"
    description: str = ""
    link: Link = Link()
    timing: ScannerTiming = ScannerTiming()
    framing: MrzFraming = MrzFraming()
    #: What the reader sends for a character it could not recognise.
    substitute_char: str = "?"
    #: OCR look-alikes the ``ocr_confusion`` fault swaps (both directions).
    confusions: dict[str, str] = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
    #: IDBox text answers to ``V``, ``W``, ``R``, ``T``.
    info: dict[str, str] = {}
    script: tuple[ScriptStep, ...] = ()


class R30xTiming(_Frozen):
    """How long the module takes."""

    #: Before every acknowledge.
    reply_delay: float = Field(0.0, ge=0)
    #: Extra time GenImg takes when a finger is imaged.
    genimg_delay: float = Field(0.0, ge=0)
    #: From SoftReset's acknowledge to the ready byte.
    ready_delay: float = Field(0.05, ge=0)


class R30xParams(_Frozen):
    """System parameters the module reports, and its password."""

    address: int = 0xFFFFFFFF
    password: int = 0
    status_register: int = 0
    system_id: int = 0
    library_size: int = 1000
    security_level: int = 3
    #: Data packet size code: 0..3 for 32, 64, 128, 256 bytes.
    packet_size_code: int = Field(2, ge=0, le=3)


class Sensor(_Frozen):
    """The sensor image."""

    cols: int = 256
    rows: int = 288
    #: Grey level where no ridge touches the sensor.
    background: int = Field(255, ge=0, le=255)


class R30xModel(_Frozen):
    """An R30x-family fingerprint module."""

    model: str
    kind: Literal["r30x"] = "r30x"
    description: str = ""
    link: Link = Link(baud=57600)
    timing: R30xTiming = R30xTiming()
    params: R30xParams = R30xParams()
    sensor: Sensor = Sensor()
    #: Confirmation code for an instruction the model does not implement.
    unknown_instruction: int = 0x01
    script: tuple[ScriptStep, ...] = ()


DeviceModel = ScannerModel | R30xModel


def available_models() -> list[str]:
    """Names of the described models."""
    return sorted(p.stem for p in DEVICES_DIR.glob("*.toml"))


def load_model(name_or_path: str | Path) -> DeviceModel:
    """Load a model by name (``r307``) or from a TOML file path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = DEVICES_DIR / f"{name_or_path}.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    if data.get("kind") == "r30x":
        return R30xModel.model_validate(data)
    return ScannerModel.model_validate(data)
