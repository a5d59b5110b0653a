"""Fixtures for the workflow tests."""

from __future__ import annotations

import pytest

from kiosk.workflow import Session
from tests.helpers.workflow import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session(clock: Clock) -> Session:
    return Session("da", inactivity_warning_s=60, inactivity_grace_s=30, done_return_s=20,
                   clock=clock)
