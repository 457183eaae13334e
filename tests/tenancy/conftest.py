from __future__ import annotations

from types import SimpleNamespace

import pytest

from sightline import instruments


@pytest.fixture
def installed_instruments(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Pins the instrument registry so training tests do not depend on which files are bundled."""
    ids = {"cse-it-2.0", "cse-it-brief"}
    definitions = [SimpleNamespace(id=i, version="1.0.0") for i in sorted(ids)]
    monkeypatch.setattr(instruments, "available", lambda **_: definitions, raising=False)
    return ids
