from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    """A Spanish request leaves Spanish active in the test's thread; later tests expect English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
