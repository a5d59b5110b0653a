"""The one error the store raises: a code for audit lines and screens, a message for people."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot do what was asked.

    Codes: ``key_missing``, ``key_invalid`` (the KEK), ``disk_full``, ``unavailable`` (the
    database cannot be opened or written), ``unknown_reference``, ``duplicate_reference``,
    ``corrupt`` (a record that does not decrypt or is not whole). The message never holds
    personal data.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
