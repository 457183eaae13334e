"""Run every benchmark; exit non-zero if any target fails.

    python -m benchmarks             # the ones that need no database (make bench): scoring, score CLI
    python -m benchmarks --postgres  # also finalize, load, synth and schedule: need psql, take long

The PostgreSQL benchmarks each set up Django for their own database, so each runs in its own process.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks import scoring

NO_DATABASE_BENCHMARKS = ("benchmarks.score_cli",)
POSTGRES_BENCHMARKS = (
    "benchmarks.finalize",
    "benchmarks.load",
    "benchmarks.synth",
    "benchmarks.schedule",
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    failures = int(scoring.main([]) != 0)
    for module in NO_DATABASE_BENCHMARKS:
        failures += subprocess.run([sys.executable, "-m", module], check=False).returncode != 0
    if "--postgres" in args:
        for module in POSTGRES_BENCHMARKS:
            failures += subprocess.run([sys.executable, "-m", module], check=False).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
