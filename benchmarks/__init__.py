"""Sightline benchmarks: `python -m benchmarks` runs them all; each module also runs alone.

No network, no database unless a benchmark says so; results and method are written up in
docs/benchmarks.md. Timed checks live here, never in tests/.
"""
