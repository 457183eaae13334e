"""Fixtures for page tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(autouse=True, scope="session")
def _static_root_exists() -> None:
    # WhiteNoise warns (an error under our warning filter) when STATIC_ROOT is missing; tests never collect.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
