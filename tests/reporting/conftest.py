"""A small synthetic programme for the reporting tests, written the way the generator's bulk path
does (tests/synth), then rolled up with the rebuild command's function."""

from __future__ import annotations

import pytest

from sightline.reporting.rollups import rebuild
from sightline.synth import Population, SynthParams, generate
from sightline.synth.db import write_population


@pytest.fixture(scope="session")
def population() -> Population:
    return generate(SynthParams(seed=19, youth=600, counties=2, agencies_per_county=6))


@pytest.fixture
def programme(db: None, population: Population) -> Population:
    write_population(population)
    rebuild()
    return population
