"""A schemathesis check: no answer may hold agency B's data (its youth's pseudonym or names, its
name, or a row with its agency id). Loaded by `run_schemathesis.sh` through SCHEMATHESIS_HOOKS."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import schemathesis

_WORLD = json.loads(Path(os.environ["SIGHTLINE_FUZZ_WORLD"]).read_text(encoding="utf-8"))
_AGENCY = re.compile(rf'"agency_id":\s*{int(_WORLD["agency_b"])}\b')


@schemathesis.check
def no_other_agency_data(ctx: Any, response: Any, case: Any) -> bool | None:
    body = response.text or ""
    leaked = [marker for marker in _WORLD["strings"] if marker in body]
    if _AGENCY.search(body):
        leaked.append(f"agency_id {_WORLD['agency_b']}")
    if leaked:
        raise AssertionError(f"the answer holds agency B's data: {leaked}")
    return None
