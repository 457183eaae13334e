"""`sightline.stats` is a pure core: it imports and computes with Django impossible to import."""

from __future__ import annotations

import subprocess
import sys

BLOCK_DJANGO = """
import importlib.abc, sys

class BlockDjango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ModuleNotFoundError(f"blocked for this test: {name}")
        return None

sys.meta_path.insert(0, BlockDjango())
for name in [m for m in sys.modules if m == "django" or m.startswith("django.")]:
    del sys.modules[name]

from sightline import stats
share = stats.wilson(81, 263)
table = stats.suppress([[5, 20], [30, 40]])
assert not any(m == "django" or m.startswith("django.") for m in sys.modules)
print("django blocked;", round(share.low, 4), bool(table.suppressed[0, 0]))
"""


def test_stats_import_and_compute_with_django_blocked() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", BLOCK_DJANGO],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "django blocked; 0.2553 True"
