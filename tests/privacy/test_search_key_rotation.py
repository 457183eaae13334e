"""Search-key rotation (issue 18, point 4): `sightline keys rotate --search` rewrites every youth's
blind index (name words, prefixes, case number) under the new key in resumable batches; meanwhile
searches try both keys, so every youth is found throughout; afterwards the new key alone finds
everyone and the old key alone finds no one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import override_settings

from sightline.cli import main
from sightline.privacy.blind_index import identifier_token, stored_tokens, token_digest
from sightline.privacy.keys import _search_keys, new_key, search_key_id
from sightline.youth.models import Youth, YouthNameToken
from sightline.youth.search_index import reindex, stale_count
from sightline.youth.selectors import youth_likely_duplicates, youth_search
from sightline.youth.services import youth_update
from tests import factories
from tests.conftest import World

NEW = new_key()


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    _search_keys.cache_clear()
    yield
    _search_keys.cache_clear()


def _keys(current: str, *previous: str) -> Any:
    _search_keys.cache_clear()
    return override_settings(
        SIGHTLINE_SEARCH_KEY=current, SIGHTLINE_SEARCH_KEYS_PREVIOUS=list(previous)
    )


@pytest.fixture
def people(world: World) -> list[Youth]:
    return [
        factories.registered_youth(
            world.agency_a,
            by=world.screener,
            first_name=f"Anneliese{chr(97 + n)}",
            last_name=f"Castellanos{chr(97 + n)}",
            aliases=[f"Bibi{chr(97 + n)}"],
            case_number=f"CW-{n:03d}",
            date_of_birth=dt.date(2012, 1, 1 + n),
        )
        for n in range(7)
    ]


def _found_by_everything(world: World, youth: Youth) -> bool:
    """Found by each whole name word, a prefix, an alias, the case number, and as a duplicate."""
    suffix = youth.last_name[-1]
    searches = [
        {"name": youth.first_name},
        {"name": youth.last_name},
        {"name": f"Bibi{suffix}"},
        {"name": f"Cast Anneliese{suffix}"},  # a prefix and a whole word
        {"case_number": youth.case_number.lower().replace("-", " ")},
    ]
    for keys in searches:
        if youth.pk not in set(
            youth_search(user=world.screener, **keys).values_list("pk", flat=True)
        ):
            return False
    duplicates = youth_likely_duplicates(
        user=world.screener,
        agency=world.agency_a,
        first_name=youth.first_name,
        last_name="Other",
        date_of_birth=youth.date_of_birth,
    )
    return youth.pk in {d.pk for d in duplicates}


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["keys", *args], catch_exceptions=False)


def test_rotation_moves_every_token_to_the_new_key(
    world: World, people: list[Youth], settings: Any
) -> None:
    old = settings.SIGHTLINE_SEARCH_KEY
    with _keys(NEW, old):
        assert stale_count() == len(people)
        # Before the rotation: the old tokens are still found through the previous key.
        assert all(_found_by_everything(world, youth) for youth in people)
        result = _run("rotate", "--search", "--batch", "3")
        assert result.exit_code == 0, result.output
        assert f"{len(people)} youth re-indexed" in result.output
        assert "remove SIGHTLINE_SEARCH_KEYS_PREVIOUS" in result.output
        assert stale_count() == 0
    with _keys(NEW):  # the old key retired
        assert all(_found_by_everything(world, youth) for youth in people)
        assert "0 youth not indexed" in _run("status").output
    with _keys(old):  # the old key alone finds nobody
        assert not any(_found_by_everything(world, youth) for youth in people)
    # Every stored digest is the new key's, and the index is exactly what the names make.
    from sightline.privacy.keys import _decode

    new_secret = _decode("k", NEW)
    for youth in Youth.objects.filter(pk__in=[y.pk for y in people]):
        expected = {
            token_digest(t, key=new_secret)
            for t in stored_tokens(youth.first_name, youth.last_name, *youth.aliases)
        }
        stored = set(YouthNameToken.objects.filter(youth=youth).values_list("digest", flat=True))
        assert stored == expected
        assert youth.case_number_digest == token_digest(
            identifier_token(youth.case_number) or "", key=new_secret
        )


def test_an_interrupted_rotation_resumes_and_searches_work_meanwhile(
    world: World, people: list[Youth], settings: Any
) -> None:
    old = settings.SIGHTLINE_SEARCH_KEY
    with _keys(NEW, old):
        assert reindex(batch=2, only_stale=True, stop_after=2) == 4  # stopped after two batches
        assert stale_count() == len(people) - 4
        # Half-way: both keys are searched, so everyone is still found.
        assert all(_found_by_everything(world, youth) for youth in people)
        result = _run("rotate", "--search", "--batch", "2")
        assert result.exit_code == 0, result.output
        assert f"{len(people) - 4} youth re-indexed" in result.output  # only the rest
    with _keys(NEW):
        assert all(_found_by_everything(world, youth) for youth in people)


def test_an_edit_during_rotation_re_indexes_the_whole_youth(
    world: World, people: list[Youth], settings: Any
) -> None:
    old = settings.SIGHTLINE_SEARCH_KEY
    youth = people[0]
    with _keys(NEW, old):
        youth_update(youth=youth, by=world.screener, notes="moved placement")
        assert Youth.objects.get(pk=youth.pk).search_key_id == search_key_id()
        assert stale_count() == len(people) - 1
    with _keys(NEW):
        assert _found_by_everything(world, Youth.objects.get(pk=youth.pk))
        assert not _found_by_everything(world, Youth.objects.get(pk=people[1].pk))


def test_rotation_reports_unfinished_work_with_a_failing_exit(
    world: World, people: list[Youth], settings: Any, monkeypatch: Any
) -> None:
    import sightline.youth.search_index as search_index

    real = search_index.reindex
    monkeypatch.setattr(
        search_index, "reindex", lambda **kw: real(**{**kw, "batch": 2, "stop_after": 1})
    )
    with _keys(NEW, settings.SIGHTLINE_SEARCH_KEY):
        result = _run("rotate", "--search")
    assert result.exit_code == 1
    assert f"{len(people) - 2} youth still under an older search key" in result.output
