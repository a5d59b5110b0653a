"""Kiosk configuration: a TOML file plus ``PASBOKS_*`` environment overrides, validated by pydantic.

With no file the kiosk runs on its built-in simulator. ``load_config`` turns every problem in a
file into one :class:`ConfigError` that names the field and says what is wrong, so the CLI can
print one clear line instead of a traceback.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from kiosk.document.settings import DocumentSettings
from kiosk.fingerprint.settings import FingerprintSettings
from kiosk.i18n import LANGUAGES
from kiosk.photo.settings import PhotoSettings
from kiosk.safetext import printable
from kiosk.tomlfile import TomlFileError, read_toml

ENV_PREFIX = "PASBOKS_"
#: Environment variable naming the config file when ``--config`` is not given.
CONFIG_ENV = "PASBOKS_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScannerSettings(_Section):
    """The document (MRZ) scanner on a serial port."""

    url: str = "/dev/pasboks-scanner"
    """pyserial URL or device path (a udev rule gives the reader this stable name)."""
    framing: Literal["lines", "3m", "desko", "idbox"] = "lines"
    """How the reader frames a document (see ../shared/docs/devices.md §1)."""
    baudrate: int = Field(9600, gt=0)


class FingerprintReaderSettings(_Section):
    """The fingerprint reader."""

    url: str = "/dev/pasboks-fingerprint"
    model: Literal["r30x", "usb-500ppi"] = "r30x"
    """``r30x``: an R30x/ZFM/AS608 module over serial. ``usb-500ppi``: a certified USB scanner
    behind its vendor SDK (simulated only so far; real ones need the SDK wrapped)."""
    baudrate: int = Field(57600, gt=0)
    """The rate the module starts at (an R30x's default is 57600)."""
    target_baudrate: int | None = 115200
    """``r30x``: the rate the driver switches the module to on open (SetSysPara), halving each
    image's 6.4 s on the wire at 57600; a module that refuses keeps ``baudrate`` (logged).
    N x 9600 with N from 1 to 12; set it to ``baudrate`` to keep the module's rate."""
    target_packet_size: Literal[32, 64, 128, 256] | None = 256
    """``r30x``: the image data packet size set on open (SetSysPara 6; 128 is the usual
    default): 256 puts 4 % fewer bytes on the wire per image. A module that refuses keeps its
    own (logged)."""

    @field_validator("target_baudrate")
    @classmethod
    def _r30x_rate(cls, value: int | None) -> int | None:
        if value is not None and (value % 9600 or not 9600 <= value <= 115200):
            raise ValueError("must be N x 9600 with N from 1 to 12 (e.g. 57600 or 115200)")
        return value


class CameraSettings(_Section):
    """The photo camera, opened with OpenCV."""

    source: str = "0"
    """A device index (``0``), a stream URL (``http://...``) or a video file."""
    width: int = Field(1280, gt=0)
    height: int = Field(720, gt=0)
    fourcc: str = Field("MJPG", min_length=4, max_length=4)
    fps: int = Field(30, gt=0)
    lock_exposure: bool = True
    """Lock exposure and white balance after warm-up, for repeatable photos."""


class SignatureSettings(_Section):
    """The signature pad."""

    kind: Literal["simulated"] = "simulated"
    """Pads are reached through vendor SDKs (devices.md §4); only the simulator's ships so far."""


class LiftSettings(_Section):
    """The camera lift: a motorised column that brings the camera to the citizen's eyes."""

    model: Literal["none", "serial"] = "none"
    """``none``: no lift (the camera stands still). ``serial``: a column controller speaking
    the line protocol of ``drivers/lift_protocol.py``."""
    url: str = "/dev/pasboks-lift"
    baudrate: int = Field(9600, gt=0)
    eye_line: float = Field(0.39, gt=0.1, lt=0.9)
    """Where the eyes should be in the camera frame, as a fraction of its height from the top
    (0.39: where a citizen standing compliantly in front of a level camera has them)."""
    tolerance: float = Field(0.03, gt=0.0, lt=0.2)
    """How far (fraction of the frame height) the eyes may be off the line: about 11 mm."""
    too_close: float = Field(0.30, gt=0.0, lt=1.0)
    """Inter-eye distance over the frame height above which the face is too close to move
    the column (0.17 is the compliant distance)."""
    eye_distance_mm: float = Field(63.0, gt=40.0, lt=80.0)
    """A typical inter-pupillary distance: how millimetres are read off the frame."""
    seated_max_mm: int = Field(250, ge=0)
    """Seated mode: the highest lift position used (a lower range for wheelchair users)."""
    seated_start_mm: int = Field(150, ge=0)
    """Seated mode: where the lift goes before it sees the face."""
    max_moves: int = Field(4, ge=1, le=20)
    """Runs the lift makes to level the eyes before the photo goes on without it."""
    settle_s: float = Field(0.25, ge=0.0, le=5.0)
    """After the column stops, frames older than this are not used to aim the next run."""
    level_timeout_s: float = Field(30.0, gt=0.0)
    """Longest levelling, from the first face seen, before the photo step goes on without it
    (a face too close all along, a column that never settles ...)."""
    relevel_tolerance: float = Field(0.08, gt=0.0, lt=0.5)
    """After levelling, how far (fraction of the frame height) the eyes may wander off the
    line before the lift follows them (0.08: about 30 mm, a citizen who straightened up or
    sat down, not one who nods)."""
    relevel_after_s: float = Field(1.5, gt=0.0, le=30.0)
    """How long the eyes must stay that far off before the lift follows (a glance away or a
    step to the side passes)."""
    max_relevels: int = Field(2, ge=0, le=10)
    """How often one photo step levels again after the first time (0: never)."""


class PrinterSettings(_Section):
    """The receipt printer: an ESC/POS thermal printer on a serial line or USB (optional)."""

    model: Literal["none", "serial", "usb"] = "serial"
    """``none``: no printer (no receipt; the done screen shows the number as always).
    ``serial``: ESC/POS over a serial port. ``usb``: ESC/POS over USB (needs pyusb)."""
    url: str = "/dev/pasboks-printer"
    """Serial: pyserial URL or device path (a udev rule gives the printer this name)."""
    baudrate: int = Field(38400, gt=0)
    usb_vendor: int = Field(0x04B8, ge=0, le=0xFFFF)
    """USB: vendor id (0x04b8: Epson)."""
    usb_product: int = Field(0x0E15, ge=0, le=0xFFFF)
    """USB: product id (0x0e15: TM-T20II)."""
    profile: str = "TM-T20II"
    """python-escpos printer profile: code pages, paper width, what it can cut."""
    columns: int = Field(42, ge=24, le=64)
    """Characters per line in the normal font (42 fits 80 mm paper)."""
    qr: Literal["native", "image"] = "native"
    """``native``: the printer draws the QR code (``GS ( k``). ``image``: the kiosk draws it
    and sends a raster image, for printers without a QR engine."""
    qr_size: int = Field(6, ge=1, le=16)
    """Size of one QR module in printer dots."""


class DevicesSettings(_Section):
    """Where the devices are."""

    scanner: ScannerSettings = ScannerSettings()
    fingerprint: FingerprintReaderSettings = FingerprintReaderSettings()
    camera: CameraSettings = CameraSettings()
    signature: SignatureSettings = SignatureSettings()
    lift: LiftSettings = LiftSettings()
    printer: PrinterSettings = PrinterSettings()


class SimulatorSettings(_Section):
    """The built-in hardware simulator, which stands in for every device when enabled."""

    enabled: bool = True
    persona: str = "happy"
    """Scenario whose citizen the simulator plays in ``kiosk run``."""
    auto_citizen: bool = True
    """The simulated citizen acts on the devices by themself (inserts the passport, presses
    fingers, signs) when the kiosk asks; the person at the screen only taps."""
    pacing: bool = True
    """Simulated serial devices send no faster than their baud rate, as hardware does (a
    fingerprint image takes about 6.5 s at 57600 baud). Tests turn it off."""


class TimeoutSettings(_Section):
    """How long the kiosk waits (seconds)."""

    inactivity_warning_s: float = Field(90.0, gt=0)
    """Idle time before the kiosk asks "Are you still there?"."""
    inactivity_grace_s: float = Field(30.0, ge=20)
    """Time to answer that question before the session is wiped (WCAG 2.2.1 asks >= 20 s)."""
    device_read_s: float = Field(1.0, gt=0)
    """One poll of a device; workers poll in a loop so they can be cancelled."""
    document_wait_s: float = Field(45.0, gt=0)
    """How long the passport step waits for a read before it tells the citizen it could not
    read the passport (and offers a retry or a librarian), well before the inactivity warning."""
    scanner_probe_s: float = Field(10.0, gt=0)
    """While no document arrives, the scanner is probed this often; a dead one is reported."""
    help_wait_s: float = Field(600.0, gt=0)
    """A citizen waiting in Help for a librarian is left this long before the inactivity
    warning (the ordinary 90 s would wipe them while the librarian walks over)."""
    done_return_s: float = Field(30.0, gt=0)
    """How long the receipt stays on screen before the kiosk returns to welcome."""


class VoiceSettings(_Section):
    """Spoken instructions (espeak-ng) and earcons; the citizen can change volume and mute."""

    enabled: bool = True
    """Speak each screen's instruction and the step's guidance in the citizen's language."""
    volume: int = Field(70, ge=0, le=100)
    """Volume each citizen starts at (percent); their changes last until their session ends."""
    rate: int = Field(150, ge=80, le=400)
    """Speaking rate in words a minute (espeak-ng's own default is 175)."""
    earcons: bool = True
    """Short tones for "photo taken", "fingerprint saved" and "lift your finger"."""


def _xdg_state() -> Path:
    """``$XDG_STATE_HOME/pasboks`` (``~/.local/state/pasboks`` when unset), always absolute."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "pasboks"


def default_store_directory() -> Path:
    """systemd's ``StateDirectory=`` (``$STATE_DIRECTORY``) when deployed, else XDG state."""
    deployed = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
    return Path(deployed) if deployed else _xdg_state() / "store"


def default_log_directory() -> Path:
    """systemd's ``LogsDirectory=`` (``$LOGS_DIRECTORY``) when deployed, else XDG state."""
    deployed = os.environ.get("LOGS_DIRECTORY", "").split(":")[0]
    return Path(deployed) if deployed else _xdg_state() / "log"


def _absolute(value: Path) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise ValueError(f"must be an absolute path, not {str(value)!r} (the kiosk never "
                         "stores anything relative to the directory it was started in)")
    return path


class StorageSettings(_Section):
    """Where finished applications wait for the caseworker (encrypted), and for how long."""

    directory: Path = Field(default_factory=default_store_directory)
    """Absolute state directory of the encrypted store, never shared with logs."""
    key_file: Path | None = None
    """The key-encryption key (32 bytes, raw or base64, mode 0600). Unset: the systemd
    credential ``record-key`` in ``$CREDENTIALS_DIRECTORY``, else ``record.key`` in the
    configuration directory (``$XDG_CONFIG_HOME/pasboks``), away from the store."""
    create_key: bool | None = None
    """Create a missing key (0600). Unset: only while the simulator is on, so a deployed kiosk
    whose credential is missing stops with a clear message instead of starting a new key."""
    retention_hours: float = Field(96.0, gt=0)
    """Applications not collected by then are deleted (requirements.md §4: 24 h - 14 days)."""
    sweep_every_s: float = Field(60.0, gt=0)
    """How often the sweeper deletes applications past the retention window."""

    @field_validator("directory", "key_file")
    @classmethod
    def _must_be_absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else _absolute(value)


class LogSettings(_Section):
    """Where the kiosk's log and the audit trail go (codes and references only)."""

    directory: Path = Field(default_factory=default_log_directory)
    audit_max_bytes: int = Field(1_000_000, gt=0)
    """The audit trail is rotated at this size ..."""
    audit_keep: int = Field(10, ge=1)
    """... keeping this many old files."""

    @field_validator("directory")
    @classmethod
    def _must_be_absolute(cls, value: Path) -> Path:
        return _absolute(value)


class HandoffSettings(_Section):
    """The hand-off server that caseworkers fetch applications from (mutual TLS)."""

    listen: str = "127.0.0.1:8443"
    """``HOST:PORT`` the server listens on (the municipality's administration network)."""
    certificate: Path | None = None
    """The kiosk's TLS server certificate (PEM); it also signs the bundles (JWS)."""
    private_key: Path | None = None
    """The private key of ``certificate`` (PEM)."""
    client_ca: Path | None = None
    """The municipality CA: only client certificates it issued are accepted."""
    recipient_key: Path | None = None
    """The municipality's public key (PEM) the bundles are encrypted to (JWE)."""
    max_failures: int = Field(5, ge=1)
    """Wrong references or birth dates a client may try before it is locked out ..."""
    lockout_s: float = Field(60.0, gt=0)
    """... for this long, doubling with each further lockout."""

    @field_validator("certificate", "private_key", "client_ca", "recipient_key")
    @classmethod
    def _must_be_absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else _absolute(value)


def default_staff_file() -> Path:
    """Staff accounts: next to the store when deployed, else in XDG state."""
    deployed = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
    return (Path(deployed) if deployed else _xdg_state()) / "staff.sqlite3"


class StaffSettings(_Section):
    """Librarians: their accounts, sign-in rules and what they may record."""

    accounts_file: Path = Field(default_factory=default_staff_file)
    """SQLite file of staff accounts (names and PIN hashes only), managed by ``kiosk staff``."""
    idle_s: float = Field(120.0, gt=0)
    """A staff session at the kiosk ends after this long without a staff tap."""
    max_attempts: int = Field(5, ge=1)
    """Wrong PINs before staff sign-in is locked ..."""
    lockout_s: float = Field(30.0, gt=0)
    """... for this long, doubling with each further lockout."""
    override_reasons: tuple[str, ...] = (
        "religious_head_covering", "medical_device", "medical_condition", "disability",
        "other")
    """Reasons staff may give when they override a failed photo check (codes, translated)."""
    language: str = "da"
    """Language of staff screens and the console."""

    @field_validator("accounts_file")
    @classmethod
    def _must_be_absolute(cls, value: Path) -> Path:
        return _absolute(value)


class ConsoleSettings(_Section):
    """The librarians' browser console, and this kiosk's link to it."""

    url: str | None = None
    """Where this kiosk connects (``wss://HOST:PORT/link``); unset: no console."""
    token_file: Path | None = None
    """Shared secret (0600) a kiosk proves itself with when it connects to the console."""
    ca: Path | None = None
    """CA that issued the console's certificate (the kiosk verifies it)."""
    name: str = ""
    """This kiosk's name in the console (``kiosk_id`` when empty)."""
    place: str = ""
    """Where it stands, shown in the console (\"Ørestad Library, ground floor\")."""
    listen: str = "127.0.0.1:8444"
    """``HOST:PORT`` of ``kiosk console serve``."""
    certificate: Path | None = None
    """The console's HTTPS certificate (PEM); unset: a self-signed one made at first start."""
    private_key: Path | None = None

    @field_validator("token_file", "ca", "certificate", "private_key")
    @classmethod
    def _must_be_absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else _absolute(value)


class DisplaySettings(_Section):
    """How pictures (camera preview, photo review, summary) reach the screen."""

    graphics: Literal["auto", "kitty", "sixel", "halfblock"] = "auto"
    """``auto`` detects the terminal (foot: Sixel, kitty: its graphics protocol, else half
    blocks); name a protocol to force it."""
    max_width: int = Field(320, ge=160, le=1920)
    """Widest real-pixel picture in pixels: encoding time grows with the pixel count (foot on a
    busy 2-core machine: 320 about 20-27 fps, 480 about 14-18)."""


class KioskConfig(BaseSettings):
    """The whole configuration."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    language: str = "da"
    """The language the welcome screen starts in."""
    languages: tuple[str, ...] = tuple(LANGUAGES)
    kiosk_id: str = "pasboks-dev"
    """Names this kiosk in audit records (no personal data)."""
    devices: DevicesSettings = DevicesSettings()
    simulator: SimulatorSettings = SimulatorSettings()
    timeouts: TimeoutSettings = TimeoutSettings()
    # Factories, not instances: the default directories follow the environment at load time.
    storage: StorageSettings = Field(default_factory=StorageSettings)
    logs: LogSettings = Field(default_factory=LogSettings)
    handoff: HandoffSettings = HandoffSettings()
    staff: StaffSettings = Field(default_factory=StaffSettings)
    console: ConsoleSettings = ConsoleSettings()
    document: DocumentSettings = DocumentSettings()
    photo: PhotoSettings = PhotoSettings()
    fingerprint: FingerprintSettings = FingerprintSettings()
    display: DisplaySettings = DisplaySettings()
    voice: VoiceSettings = VoiceSettings()

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [code for code in value if code not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; available: {', '.join(LANGUAGES)}")
        if not value:
            raise ValueError("at least one language is needed")
        return value

    @model_validator(mode="after")
    def _store_apart_from_logs(self) -> KioskConfig:
        store, logs = self.storage.directory, self.logs.directory
        if store == logs or store in logs.parents or logs in store.parents:
            raise ValueError("storage.directory and logs.directory must be apart (the store "
                             "holds encrypted applications; logs are read by more people)")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file: the file's values arrive as init arguments.
        return env_settings, init_settings


class ConfigError(Exception):
    """The configuration cannot be used. The message names the field and the problem."""


def load_config(path: Path | str | None = None) -> KioskConfig:
    """Read the config file (if any) and the environment; raise ConfigError on any problem.

    Every problem is one ``ConfigError`` whose lines read ``FILE: problem`` or
    ``FILE: field: problem`` (``environment: PASBOKS_X: problem`` for the environment): a
    missing, unreadable, non-UTF-8, too large, too deeply nested or non-TOML file, a path that
    is a directory or a FIFO, a setting of the wrong type or a ``PASBOKS_*`` variable that
    cannot be parsed.
    """
    if path is None and os.environ.get(CONFIG_ENV):
        path = os.environ[CONFIG_ENV]
    data: dict[str, Any] = {}
    source = "environment"
    if path is not None:
        path = Path(path)
        source = printable(path)
        try:
            data = read_toml(path, "config file")
        except TomlFileError as error:
            raise ConfigError(str(error)) from None
        # A file that names real devices means real devices, unless it says otherwise.
        if "devices" in data:
            simulator = data.setdefault("simulator", {})
            if isinstance(simulator, dict):
                simulator.setdefault("enabled", False)
    try:
        return KioskConfig(**data)
    except ValidationError as error:
        raise ConfigError(_describe(error, source)) from None
    except SettingsError as error:
        raise ConfigError(_describe_environment(error)) from None
    except RecursionError:  # a PASBOKS_* value of JSON nested thousands deep
        raise ConfigError("environment: a PASBOKS_* value is nested too deeply") from None


def _describe_environment(error: SettingsError) -> str:
    """pydantic-settings' complaint about a ``PASBOKS_*`` variable, as one line."""
    found = re.search(r'field "([^"]+)"', str(error))
    if found is None:
        return f"environment: a PASBOKS_* variable cannot be parsed ({printable(error)})"
    name = f"{ENV_PREFIX}{found.group(1).upper()}"
    return (f"environment: {name}: not valid JSON (a section takes a JSON object, a list a "
            f"JSON array; one setting of a section is {name}__FIELD=value)")


def _describe(error: ValidationError, source: str) -> str:
    """One line per problem: ``file: field.path: what is wrong``."""
    lines = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown setting (check the spelling; see deploy/kiosk.example.toml)"
        elif problem["type"] == "literal_error":
            message = message.replace("Input should be", "must be")
        lines.append(printable(f"{source}: {field}: {message}"))
    if len(lines) > _MAX_PROBLEMS:  # a list of a million wrong items is one mistake
        lines[_MAX_PROBLEMS:] = [f"{source}: ... and {len(lines) - _MAX_PROBLEMS} more problems"]
    return "\n".join(lines)


#: Problems listed at most; the rest are counted.
_MAX_PROBLEMS = 10
