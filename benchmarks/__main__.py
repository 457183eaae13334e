"""Run every benchmark; exit non-zero if any target fails."""

from __future__ import annotations

from benchmarks import scoring


def main() -> int:
    failures = 0
    for benchmark in (scoring,):
        failures += benchmark.main([]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
