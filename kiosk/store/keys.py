"""The key-encryption key (KEK): where it comes from, and the checks before it is used.

The KEK wraps each application's data key. It lives apart from the store: in a systemd
credential when deployed (``LoadCredentialEncrypted=record-key:...`` puts it, decrypted, in
``$CREDENTIALS_DIRECTORY``), else in a 0600 file named by ``storage.key_file`` or, on a
developer's machine, in ``$XDG_CONFIG_HOME/pasboks/record.key``. The file holds 32 random bytes,
raw or base64 (one line), so it can be made with ``head -c32 /dev/urandom`` or ``openssl rand``.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.store.errors import StoreError

#: Name of the systemd credential holding the KEK.
CREDENTIAL = "record-key"
KEY_BYTES = 32


def _config_home() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "pasboks"


def key_path(config: KioskConfig) -> Path:
    """Where this configuration's KEK is read from."""
    if config.storage.key_file is not None:
        return config.storage.key_file
    credentials = os.environ.get("CREDENTIALS_DIRECTORY", "")
    if credentials:
        return Path(credentials) / CREDENTIAL
    return _config_home() / "record.key"


def may_create_key(config: KioskConfig) -> bool:
    """A missing key is made only when the config says so, or by default on the simulator."""
    if config.storage.create_key is not None:
        return config.storage.create_key
    return config.simulator.enabled


def load_key(config: KioskConfig, *, create: bool | None = None) -> bytes:
    """The 32-byte KEK. Raises StoreError (``key_missing``, ``key_invalid``), clearly worded."""
    path = key_path(config)
    if create is None:
        create = may_create_key(config)
    from_credential = config.storage.key_file is None and bool(
        os.environ.get("CREDENTIALS_DIRECTORY"))
    try:
        return read_key_file(path, check_mode=not from_credential)
    except FileNotFoundError:
        if not create:
            raise StoreError("key_missing", f"the record key {path} is missing (see README: "
                             "'Keys and certificates'); no application can be stored") from None
    return write_new_key(path)


def read_key_file(path: Path, *, check_mode: bool = True) -> bytes:
    """Read a KEK file; refuse one that others can read or that is not 32 bytes."""
    try:
        info = path.stat()
    except PermissionError:
        raise StoreError("key_invalid", f"the record key {path} cannot be read") from None
    if check_mode and stat.S_IMODE(info.st_mode) & 0o077:
        raise StoreError("key_invalid", f"the record key {path} is readable by others "
                         f"(mode {stat.S_IMODE(info.st_mode):o}); run: chmod 600 {path}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StoreError("key_invalid",
                         f"the record key {path} cannot be read ({error.strerror})") from None
    if len(data) == KEY_BYTES:
        return data
    try:
        decoded = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != KEY_BYTES:
        raise StoreError("key_invalid", f"the record key {path} is not 32 bytes (raw or base64)")
    return decoded


def write_new_key(path: Path) -> bytes:
    """Create a fresh random KEK at ``path`` (0600, never overwriting one)."""
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written whole under a private name, then linked into place: link() fails when another
    # process got there first, and nobody ever reads a half-written key.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, base64.b64encode(key) + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(partial, path)
        except FileExistsError:
            return read_key_file(path)
    except OSError as error:
        raise StoreError("key_missing",
                         f"cannot create the record key {path} ({error.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)
    return key
