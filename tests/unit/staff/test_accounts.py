"""Staff accounts: argon2id hashes only, lockout that doubles and survives a restart, and the
same answer for an unknown name as for a wrong PIN."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kiosk.config import StaffSettings
from kiosk.staff.accounts import StaffAccounts, StaffError, check_name, check_secret

#: Cheap parameters: the tests check the logic, not argon2's cost.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PIN = "482915"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def accounts(tmp_path: Path, clock: Clock, **settings: object) -> StaffAccounts:
    config = StaffSettings(accounts_file=tmp_path / "staff" / "staff.sqlite3", **settings)
    return StaffAccounts.open(config, clock=clock, hasher=FAST)


def test_the_file_holds_an_argon2id_hash_and_never_the_pin(tmp_path: Path) -> None:
    staff = StaffAccounts.open(StaffSettings(accounts_file=tmp_path / "d" / "s.sqlite3"))
    staff.add("anna", PIN)
    data = staff.path.read_bytes()
    assert PIN.encode() not in data
    assert b"$argon2id$" in data
    assert stat.S_IMODE(staff.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(staff.path.parent.stat().st_mode) == 0o700
    assert staff.verify("anna", PIN).ok
    assert [account.name for account in staff.list()] == ["anna"]


def test_add_list_remove(tmp_path: Path) -> None:
    clock = Clock()
    staff = accounts(tmp_path, clock)
    staff.add("bo", "correct horse")
    staff.add("anna", PIN)
    with pytest.raises(StaffError, match="already"):
        staff.add("anna", "999999")
    assert [(a.name, a.created.timestamp()) for a in staff.list()] == [
        ("anna", clock.now), ("bo", clock.now)]
    staff.remove("bo")
    with pytest.raises(StaffError, match="no staff account"):
        staff.remove("bo")
    assert "bo" not in staff and "anna" in staff
    assert staff.verify("bo", "correct horse").status == "unknown"


@pytest.mark.parametrize("secret", ["12345", "abc1234", "", "1234567\n", "x" * 129])
def test_weak_or_odd_secrets_are_refused_without_echo(secret: str) -> None:
    with pytest.raises(StaffError) as caught:
        check_secret(secret)
    assert secret not in str(caught.value) or not secret


@pytest.mark.parametrize("secret", ["123456", "0000000000", "a long passphrase", "pässwörd"])
def test_good_secrets(secret: str) -> None:
    assert check_secret(secret) == secret


@pytest.mark.parametrize("name", ["", " anna", "anna ", "an\x1bna", "a\nb", "x" * 33])
def test_bad_names(name: str) -> None:
    with pytest.raises(StaffError):
        check_name(name)


def test_unknown_name_and_wrong_pin_count_the_same(tmp_path: Path) -> None:
    staff = accounts(tmp_path, Clock(), max_attempts=4)
    staff.add("anna", PIN)
    answers = [staff.verify("anna", "000000"), staff.verify("nobody", PIN),
               staff.verify("nobody", "000000")]
    assert [a.refused for a in answers] == [True, True, True]
    assert {(a.name, a.retry_after_s) for a in answers} == {("", 0.0)}
    # The fourth failure, whichever kind, locks.
    assert staff.verify("nobody", PIN).locked


def test_lockout_doubles_and_a_success_starts_over(tmp_path: Path) -> None:
    clock = Clock()
    staff = accounts(tmp_path, clock, max_attempts=3, lockout_s=30)
    staff.add("anna", PIN)
    for _ in range(2):
        assert staff.verify("anna", "111111").status == "wrong"
    first = staff.verify("anna", "111111")
    assert first.locked and first.retry_after_s == 30
    # While locked even the right PIN is not checked.
    clock.now += 29
    assert staff.verify("anna", PIN).retry_after_s == pytest.approx(1)
    clock.now += 1
    for _ in range(2):
        assert staff.verify("anna", "111111").refused
    assert staff.verify("anna", "111111").retry_after_s == 60
    clock.now += 60
    for _ in range(2):
        staff.verify("x", "111111")
    assert staff.verify("x", "111111").retry_after_s == 120
    clock.now += 120
    assert staff.verify("anna", PIN).ok
    for _ in range(2):
        staff.verify("anna", "111111")
    assert staff.verify("anna", "111111").retry_after_s == 30


def test_a_lockout_survives_reopening_the_file(tmp_path: Path) -> None:
    clock = Clock()
    staff = accounts(tmp_path, clock, max_attempts=2, lockout_s=30)
    staff.add("anna", PIN)
    staff.verify("anna", "111111")
    assert staff.verify("anna", "111111").locked
    reopened = accounts(tmp_path, clock, max_attempts=2, lockout_s=30)
    assert reopened.verify("anna", PIN).locked
    assert reopened.locked_for() == 30
    clock.now += 30
    assert reopened.verify("anna", PIN).ok


def test_scopes_lock_apart(tmp_path: Path) -> None:
    staff = accounts(tmp_path, Clock(), max_attempts=1)
    staff.add("anna", PIN)
    assert staff.verify("anna", "111111", scope="console").locked
    assert staff.verify("anna", PIN).ok


def test_an_unusable_file_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StaffError, match="cannot be used"):
        StaffAccounts(blocker / "staff.sqlite3")
