"""The Spanish catalogue: complete for the screener's and supervisor's pages, compiled to match, and
nothing the pages ask for missing from it."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from tests.i18n.catalogue import LOCALE_DIR, TEMPLATES, read_po, template_messages
from tests.i18n.template_text import untranslated, untranslated_in

PO = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
WEB = TEMPLATES / "web"
# The screener's and supervisor's pages (issue 21, point 7), and the layout and pieces they share.
SCREENER_AND_SUPERVISOR = (
    "base.html",
    "home.html",
    "_pagination.html",
    "instrument.html",
    "accounts",
    "errors",
    "partials",
    "review",
    "schedule",
    "screenings",
    "youth",
)


def _pages() -> list[Path]:
    found: list[Path] = []
    for part in SCREENER_AND_SUPERVISOR:
        path = WEB / part
        found.extend(sorted(path.rglob("*.html")) if path.is_dir() else [path])
    return found


PAGES = _pages()


def _name(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def test_every_message_in_the_catalogue_has_a_spanish_translation() -> None:
    entries = read_po(PO)
    header = entries[0]

    assert header.msgid == "" and "Language: es" in header.msgstr["msgstr"]
    assert len(entries) > 500
    untranslated_entries = [e.msgid for e in entries[1:] if not e.translated]
    assert untranslated_entries == []


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_message_of_a_screener_or_supervisor_page_is_translated(page: Path) -> None:
    catalogue = {(e.msgid, e.msgid_plural): e for e in read_po(PO)[1:]}

    wanted = list(template_messages(_name(page)))
    missing = [
        w.msgid
        for w in wanted
        if (w.msgid, w.plural) not in catalogue or not catalogue[(w.msgid, w.plural)].translated
    ]

    assert missing == [], f"run `make messages` and translate them in {PO}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_no_screener_or_supervisor_page_has_untranslated_text(page: Path) -> None:
    assert [str(found) for found in untranslated_in(page)] == []


def test_the_compiled_catalogue_matches_its_source() -> None:
    """The .mo is committed (CI needs no GNU gettext): it must say what the .po says."""
    with MO.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]

    for entry in read_po(PO)[1:]:
        if entry.msgid_plural is None:
            assert catalog.get(entry.msgid) == entry.msgstr["msgstr"], entry.msgid
        else:
            assert catalog.get((entry.msgid, 0)) == entry.msgstr["msgstr[0]"], entry.msgid
            assert catalog.get((entry.msgid, 1)) == entry.msgstr["msgstr[1]"], entry.msgid


def test_placeholders_survive_translation() -> None:
    """A translation keeps every %(name)s and {name} of its message (or the page fails to render)."""
    import re

    placeholder = re.compile(r"%\(\w+\)s|\{\w+(?:![rs])?\}")
    for entry in read_po(PO)[1:]:
        expected = set(placeholder.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in entry.msgstr.values():
            assert set(placeholder.findall(text)) == expected, entry.msgid


# --- the literal-text scanner itself ------------------------------------------------------------------


def test_the_scanner_finds_literal_text_and_read_attributes() -> None:
    source = (
        '{% load i18n %}<h1>Hello</h1><p title="A tip">{% translate "Fine" %}</p>'
        '<td data-label="Status">{{ value }}</td><img alt="{% translate "ok" %}">'
    )

    assert [found.text for found in untranslated(source)] == [
        "Hello",
        "title=A tip",
        "data-label=Status",
    ]


def test_the_scanner_skips_translated_commented_and_non_text_content() -> None:
    source = (
        "{% load i18n %}{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}"
        "{# a note #}{% comment %}Not shown{% endcomment %}<script>var a = 'b';</script>"
        "<code>sightline instruments load FILE</code><a>Sightline</a><p> · 42 </p>"
        '<a href="/x" class="y">{{ link }}</a>'
    )

    assert untranslated(source) == []


def test_the_scanner_sees_text_between_template_tags() -> None:
    source = "{% if a %}Yes{% else %}{% translate 'No' %}{% endif %}<b>{{ n }} items</b>"

    assert [found.text for found in untranslated(source)] == ["Yes", "items"]


def test_the_template_reader_finds_the_pages_messages() -> None:
    """Guards the test above against passing on an empty list."""
    wanted = [w for page in PAGES for w in template_messages(_name(page))]

    assert len({w.msgid for w in wanted}) > 400
    assert any(w.plural for w in wanted)
    assert any("%(" in w.msgid for w in wanted)
