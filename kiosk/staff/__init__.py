"""Librarians: their accounts (names and argon2id PIN hashes), sign-in with lockout, the CLI."""

from kiosk.staff.accounts import SignInResult, StaffAccount, StaffAccounts, StaffError

__all__ = ["SignInResult", "StaffAccount", "StaffAccounts", "StaffError"]
