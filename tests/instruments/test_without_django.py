"""`sightline.instruments` is a pure core: it imports and scores with Django impossible to import."""

from __future__ import annotations

import subprocess
import sys

BLOCK_DJANGO_AND_SCORE = """
import importlib.abc, sys

class BlockDjango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ModuleNotFoundError(f"blocked for this test: {name}")
        return None

sys.meta_path.insert(0, BlockDjango())
for name in [m for m in sys.modules if m == "django" or m.startswith("django.")]:
    del sys.modules[name]

import numpy as np
from sightline import instruments

definition = instruments.load("cse-it-2.0")
result = instruments.score(definition, {"exchanges_sex": 2})
batch = instruments.score_many(definition, {"exchanges_sex": np.array([2, 0], dtype=np.int8)})
assert result.level == "clear_concern", result
assert list(batch.level_codes()) == ["clear_concern", None]
assert not any(m == "django" or m.startswith("django.") for m in sys.modules)
try:
    import django  # noqa: F401
except ModuleNotFoundError:
    print("django blocked; scored", result.level)
"""


def test_instruments_import_and_score_with_django_blocked() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", BLOCK_DJANGO_AND_SCORE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "django blocked; scored clear_concern"
