"""Synthetic statewide screening programme: pure NumPy, deterministic from a seed, no Django.

`generate(SynthParams(seed=..., youth=...))` returns a `Population` of tables; see
docs/synthetic-population.md for every default and where it comes from.
"""

from sightline.synth.params import SynthParams
from sightline.synth.population import Population, generate

__all__ = ["Population", "SynthParams", "generate"]
