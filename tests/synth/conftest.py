import pytest

from sightline.synth import Population, SynthParams, generate


@pytest.fixture(scope="session")
def small() -> Population:
    return generate(SynthParams(seed=7, youth=3000))


@pytest.fixture(scope="session")
def large() -> Population:
    return generate(SynthParams(seed=11, youth=200_000))
