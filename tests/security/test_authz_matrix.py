"""The authorization matrix (`authz_matrix.py`) holds: every page and API operation, as every role, on
the person's own agency and on another, answers what the table says; roles without identified access
never see a youth's name or case number; and the table covers every URL pattern and API operation.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.authz_matrix import API, PAGES, ROLES
from tests.security.authz_walk import api_operations, build_walk, walk_entry, web_patterns

OUTCOMES = {"ok", "login", "400", "401", "403", "404", "405", "409", "422"}


def _mismatches(seen: list[Any]) -> list[str]:
    return [
        f"{s.role} on {s.side}: expected {s.expected}, got {s.outcome} ({s.status})"
        + (f", saw {list(s.leaked)}" if s.leaked else "")
        for s in seen
        if s.wrong
    ]


def test_every_url_pattern_and_api_operation_has_a_row() -> None:
    pages = {name for name, _ in web_patterns()}
    assert pages and set(PAGES) == pages, (
        f"pages without a row: {sorted(pages - set(PAGES))}; "
        f"rows of pages that are gone: {sorted(set(PAGES) - pages)}"
    )
    operations = api_operations()
    assert operations and set(API) == operations, (
        f"API operations without a row: {sorted(operations - set(API))}; "
        f"rows of operations that are gone: {sorted(set(API) - operations)}"
    )


def test_every_row_is_well_formed_and_keeps_the_refusal_rule() -> None:
    for key, (kind, method, own, other) in {**PAGES, **API}.items():
        assert method in {"get", "post", "patch"}, key
        for outcomes in (own, other):
            if outcomes is None:
                continue
            words = outcomes.split()
            assert len(words) == len(ROLES) and set(words) <= OUTCOMES, key
        if other is None:
            assert kind is None, f"{key} names a record: say what each role gets on another's"
            continue
        # Another agency's record is the same 404 as a missing one, for every role (ADR 0004): never
        # "ok", never a 403 that would confirm it exists. A token or an export is named by a secret
        # of its own person, so another's is ignored (token) or the page's own refusal (export).
        others = other.split()
        if kind not in ("token", "export"):
            assert others[: ROLES.index("anonymous")] == ["404"] * ROLES.index("anonymous"), key
        assert others[ROLES.index("anonymous")] == "login", key


# One test per role keeps a failure readable; each walks every row of the table.
@pytest.mark.parametrize("role", ROLES)
def test_the_whole_matrix_holds(db: None, role: str) -> None:
    walk = build_walk()
    wrong: dict[str, list[str]] = {}
    for key, row in {**PAGES, **API}.items():
        found = _mismatches(walk_entry(walk, key, row, roles=(role,)))
        if found:
            wrong[key] = found
    assert wrong == {}, wrong


@pytest.mark.parametrize(
    ("key", "side", "role", "wrong_outcome"),
    [
        ("web:youth-detail", "own", "analyst", "ok"),  # an analyst reading a youth
        ("web:screening-detail", "other", "supervisor", "ok"),  # another agency's screening
        ("GET /api/youth/{youth_id}", "other", "screener", "403"),  # 403 would confirm it exists
        ("web:agency-screenings", "own", "supervisor", "403"),  # a wrongly refused page
        # The walk's own study is finished (a queued or failed one has no download: 404) and its
        # person is of the own agency (another's would be 404 to the admin too).
        ("web:study-json", "own", "researcher", "404"),
        ("web:agency-person", "own", "agency_admin", "404"),
    ],
)
def test_a_wrong_entry_fails_the_walk(
    db: None, key: str, side: str, role: str, wrong_outcome: str
) -> None:
    walk = build_walk()
    row = list({**PAGES, **API}[key])
    column = 2 if side == "own" else 3
    words = row[column].split()
    words[ROLES.index(role)] = wrong_outcome
    row[column] = " ".join(words)

    found = _mismatches(walk_entry(walk, key, tuple(row), roles=(role,)))

    assert len(found) == 1 and found[0].startswith(f"{role} on {side}: expected {wrong_outcome}")


def test_a_leaked_identity_fails_the_walk(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The identity check can fail: a page that showed the analyst a youth's name is caught."""
    import sightline.web.urls as web_urls
    from sightline.web import views

    walk = build_walk()
    real_home = views.home

    def leaky_home(request: Any) -> Any:
        response = real_home(request)
        response.content += walk.other.identifiers[0]
        return response

    home_pattern = next(p for p in web_urls.urlpatterns if getattr(p, "name", "") == "home")
    monkeypatch.setattr(home_pattern, "callback", leaky_home)

    found = _mismatches(walk_entry(walk, "web:home", PAGES["web:home"], roles=("analyst",)))

    assert len(found) == 1 and "Zephyrine" in found[0]
