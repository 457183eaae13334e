from __future__ import annotations

import pytest

from sightline.catalog import selectors as catalog


@pytest.fixture
def installed_instruments(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Pins the installed instruments so training tests do not depend on which files are bundled."""
    ids = {"cse-it-2.0", "cse-it-brief"}
    monkeypatch.setattr(catalog, "instrument_ids", lambda: frozenset(ids))
    return ids
