"""The two rating values that are not points on a scale.

Words used throughout: a **code** is a string an option or a level is known by (``"possible_concern"``,
``"nei"``); a **value** is the integer stored for a rating (its points, or `NEI` / `MISSING`). Plain
integers so a million ratings fit in one NumPy array next to the scale's own values (0, 1, 2 ...).
"""

from __future__ import annotations

from typing import Final

MISSING: Final = -1
"""Not rated yet: adds nothing and never counts toward the minimum."""

NEI: Final = -2
"""Not enough information: its points and whether it counts as rated come from the definition."""
