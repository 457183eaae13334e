"""The public pages: the instrument list and the practice scorer (nothing is saved)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline import instruments
from sightline.catalog import selectors as catalog
from sightline.web.forms import RATING_PREFIX, STATEMENT_PREFIX, UNKNOWN_OPTION

BUNDLED = ("cse-it-2.0", "cse-it-brief")
NOT_READ_TO_YOUTH = "never read to the youth"
NOTHING_SAVED = "nothing you enter on this page is saved"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client, world: Any) -> Client:
    """Practice pages need sign-in too (trained staff only); any persona will do."""
    client.force_login(world.screener)
    return client


@pytest.fixture(autouse=True)
def _only_bundled_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)


def _text(response: Any) -> str:
    """The response body with tags removed and entities decoded, whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def _checked(response: Any, name: str) -> list[str]:
    """The values of the checked radios named `name`."""
    pattern = rf'<input type="radio" name="{re.escape(name)}" value="([^"]*)" checked>'
    return re.findall(pattern, response.content.decode())


def _post(client: Client, instrument_id: str, data: dict[str, str], *, htmx: bool = False) -> Any:
    url = reverse("web:instrument-score", args=[instrument_id])
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data, headers=headers)


def _code(scale: Any, value: int) -> str:
    """The code the page posts for a scale value (the option's `code` in the definition)."""
    return next(option.code for option in scale if option.value == value)


def _form(
    definition: Any, ratings: dict[str, int], statements: dict[str, int] | None = None
) -> dict[str, str]:
    """Form data as the page posts it, for ratings and statement answers given as scale values."""
    data = {RATING_PREFIX + i: _code(definition.indicator_scale, v) for i, v in ratings.items()}
    for statement_id, value in (statements or {}).items():
        data[STATEMENT_PREFIX + statement_id] = _code(definition.statement_scale, value)
    return data


# -- home -------------------------------------------------------------------------------------------


def test_home_lists_both_bundled_instruments_with_their_titles(client: Client) -> None:
    response = client.get(reverse("web:home"))

    assert response.status_code == 200
    text = _text(response)
    for instrument_id in BUNDLED:
        definition = instruments.load(instrument_id)
        assert definition.title in text
        assert f"Version {definition.version}" in text
        assert reverse("web:instrument", args=[instrument_id]) in response.content.decode()
    assert "Unofficial wording" in text


def test_home_without_instruments_says_how_to_add_one(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "installed_definitions", lambda: [])

    response = client.get(reverse("web:home"))

    assert response.status_code == 200
    assert "No instruments are installed" in _text(response)


def test_every_page_carries_the_not_legal_evidence_footer(client: Client) -> None:
    for url in (reverse("web:home"), reverse("web:instrument", args=["cse-it-brief"])):
        text = _text(client.get(url))
        assert "they are not legal evidence that exploitation occurred" in text


# -- the practice page ------------------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", BUNDLED)
def test_instrument_page_shows_every_indicator_and_the_not_read_to_youth_reminder(
    client: Client, instrument_id: str
) -> None:
    definition = instruments.load(instrument_id)

    response = client.get(reverse("web:instrument", args=[instrument_id]))

    assert response.status_code == 200
    content = response.content.decode()
    text = _text(response)
    assert NOT_READ_TO_YOUTH in text
    assert NOTHING_SAVED in text.lower()
    assert content.count('<fieldset class="indicator"') == len(definition.indicators)
    for number, indicator in enumerate(definition.indicators, start=1):
        assert f"{number}. {indicator.title}" in text
        for statement in indicator.statements:
            assert " ".join(statement.text.split()) in text
            assert _checked(response, STATEMENT_PREFIX + statement.id) == [""]
        assert _checked(response, RATING_PREFIX + indicator.id) == [""]


def test_rating_labels_come_from_the_definition(client: Client) -> None:
    definition = instruments.load("cse-it-2.0")

    text = _text(client.get(reverse("web:instrument", args=["cse-it-2.0"])))

    for option in definition.indicator_scale:
        assert option.label in text
    for option in definition.statement_scale:
        assert option.label in text


def test_fluent_mode_shows_key_indicators_without_statements(client: Client) -> None:
    definition = instruments.load("cse-it-2.0")

    response = client.get(reverse("web:instrument", args=["cse-it-2.0"]), {"mode": "fluent"})

    assert response.status_code == 200
    content = response.content.decode()
    assert f'name="{STATEMENT_PREFIX}' not in content
    assert '<input type="hidden" name="mode" value="fluent">' in content
    text = _text(response)
    for indicator in definition.indicators:
        assert indicator.title in text
        for statement in indicator.statements:
            assert " ".join(statement.text.split()) not in text


def test_unknown_instrument_is_404(client: Client) -> None:
    assert client.get(reverse("web:instrument", args=["no-such-thing"])).status_code == 404
    assert client.get(reverse("web:instrument", args=["cse-it-2.0@9.9.9"])).status_code == 404
    assert _post(client, "no-such-thing", {}).status_code == 404


def test_a_file_name_in_the_url_is_never_loaded_as_a_definition(client: Client) -> None:
    # `instruments.load` accepts paths; the page only opens ids that `available()` lists.
    assert client.get(reverse("web:instrument", args=["pyproject.toml"])).status_code == 404


def test_an_exact_version_can_be_opened(client: Client) -> None:
    definition = instruments.load("cse-it-brief")

    response = client.get(reverse("web:instrument", args=[f"{definition.id}@{definition.version}"]))

    assert response.status_code == 200
    assert definition.title in _text(response)


# -- scoring ----------------------------------------------------------------------------------------


def test_posted_ratings_show_the_same_result_as_score(client: Client) -> None:
    definition = instruments.load("cse-it-2.0")
    codes = [0, 1, 2, instruments.NEI]
    ratings = {i.id: codes[n % len(codes)] for n, i in enumerate(definition.indicators)}
    expected = instruments.score(definition, ratings)

    response = _post(client, "cse-it-2.0", _form(definition, ratings))

    assert response.status_code == 200
    text = _text(response)
    assert expected.level_label in text
    assert f"Total {expected.total}" in text
    for sentence in expected.explanation:
        assert " ".join(sentence.split()) in text
    for step in expected.follow_up:
        assert " ".join(str(step).split()) in text


def test_all_no_concern_gives_no_concern(client: Client) -> None:
    definition = instruments.load("cse-it-2.0")

    response = _post(
        client, "cse-it-2.0", _form(definition, {i.id: 0 for i in definition.indicators})
    )

    assert response.status_code == 200
    assert '<p class="level__label">No concern</p>' in response.content.decode()
    assert "Total 0" in _text(response)


def test_a_clear_sign_of_exploitation_alone_gives_clear_concern(client: Client) -> None:
    # The override: a direct sign is never hidden behind an incomplete form.
    definition = instruments.load("cse-it-2.0")
    override = next(o for o in definition.scoring.overrides if o.id == "direct-exploitation-clear")

    response = _post(client, "cse-it-2.0", _form(definition, {"exchanges_sex": 2}))

    assert response.status_code == 200
    assert '<p class="level__label">Clear concern</p>' in response.content.decode()
    assert override.explanation in _text(response)


def test_nothing_rated_gives_no_level_yet(client: Client) -> None:
    response = _post(client, "cse-it-brief", {})

    assert response.status_code == 200
    assert "No level yet" in _text(response)


def test_htmx_request_gets_only_the_result_and_the_suggestions(client: Client) -> None:
    definition = instruments.load("cse-it-2.0")
    expected = instruments.score(definition, {i.id: 0 for i in definition.indicators})

    response = _post(
        client, "cse-it-2.0", _form(definition, {i.id: 0 for i in definition.indicators}), htmx=True
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "<form" not in content
    assert expected.level_label in _text(response)
    with_statements = [i for i in definition.indicators if i.statements]
    assert content.count('hx-swap-oob="true"') == len(with_statements)
    # Screen readers hear one sentence, not the panel.
    n = len(definition.indicators)
    assert (
        f'<p id="result-announcement" hx-swap-oob="innerHTML">Result: {expected.level_label}. '
        f"{n} of {n} key indicators rated.</p>"
    ) in content


def test_without_javascript_the_full_page_comes_back_with_the_selections_kept(
    client: Client,
) -> None:
    definition = instruments.load("cse-it-2.0")
    first, second = definition.indicators[0], definition.indicators[1]
    statement = first.statements[0]
    answer = definition.statement_scale[-1].value

    response = _post(
        client,
        "cse-it-2.0",
        _form(definition, {first.id: 2, second.id: instruments.NEI}, {statement.id: answer}),
    )

    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert _checked(response, RATING_PREFIX + first.id) == [_code(definition.indicator_scale, 2)]
    assert _checked(response, RATING_PREFIX + second.id) == [
        _code(definition.indicator_scale, instruments.NEI)
    ]
    assert _checked(response, STATEMENT_PREFIX + statement.id) == [
        _code(definition.statement_scale, answer)
    ]
    assert _checked(response, RATING_PREFIX + definition.indicators[2].id) == [""]


def test_statement_answers_show_the_suggested_rating(client: Client) -> None:
    definition = instruments.load("cse-it-2.0")
    indicator = next(i for i in definition.indicators if i.statements)
    answer = definition.statement_scale[-1].value
    answers = {s.id: answer for s in indicator.statements}
    suggested = instruments.suggest_rating(definition, indicator.id, answers)
    assert suggested is not None
    label = next(o.label for o in definition.indicator_scale if o.value == suggested)

    response = _post(client, "cse-it-2.0", _form(definition, {}, answers), htmx=True)

    assert response.status_code == 200
    suggestion = re.search(
        rf'<p class="suggestion" id="suggestion-{re.escape(indicator.id)}" hx-swap-oob="true">(.*?)</p>',
        response.content.decode(),
        re.S,
    )
    assert suggestion is not None
    assert f"<strong>{label}</strong>" in suggestion.group(1)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_value_outside_the_scale_is_refused_with_a_message(client: Client, htmx: bool) -> None:
    definition = instruments.load("cse-it-brief")
    indicator = definition.indicators[0]

    response = _post(client, "cse-it-brief", {RATING_PREFIX + indicator.id: "7"}, htmx=htmx)

    assert response.status_code == 400
    assert UNKNOWN_OPTION.format(what=indicator.title, value="7") in _text(response)
    assert ("<html" in response.content.decode()) is not htmx


def test_an_unknown_indicator_is_refused(client: Client) -> None:
    response = _post(client, "cse-it-brief", {RATING_PREFIX + "not-an-indicator": "1"}, htmx=True)

    assert response.status_code == 400
    assert "is not part of this instrument" in _text(response)


def test_the_score_endpoint_only_accepts_post(client: Client) -> None:
    response = client.get(reverse("web:instrument-score", args=["cse-it-brief"]))

    assert response.status_code == 405


def test_the_page_loads_htmx_without_inline_script_or_eval(client: Client) -> None:
    content = client.get(reverse("web:instrument", args=["cse-it-brief"])).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content) == []
    assert '"allowEval":false' in content
    assert 'hx-post="/instruments/cse-it-brief/score/"' in content
    # The panel is not a live region; one short sentence beside it is (announced on each update).
    assert '<p id="result-announcement" class="visually-hidden" role="status"></p>' in content
    assert "aria-live" not in content
