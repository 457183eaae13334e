"""The system admin's definition upload page: check or install, every validator message on the
page, a broken file refused with nothing changed, size and type limits, system admins only."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.catalog.models import InstalledDefinition
from sightline.instruments.parsing import MAX_FILE_BYTES
from tests.conftest import World
from tests.instruments.conftest import base_content
from tests.web.pages import page_text

URL = "/system/instruments/"


def _file(content: dict | None = None, name: str = "official.yaml", raw: bytes | None = None):
    data = raw if raw is not None else yaml.safe_dump(content or base_content()).encode()
    return SimpleUploadedFile(name, data, content_type="application/yaml")


@pytest.fixture
def admin(world: World, client: Client) -> Client:
    client.force_login(world.system_admin)
    return client


def test_the_url_is_the_named_page() -> None:
    assert reverse("web:instrument-upload") == URL


@pytest.mark.parametrize(
    "persona", ["screener", "supervisor", "agency_admin", "analyst", "outsider"]
)
def test_only_system_admins_open_it(world: World, client: Client, persona: str) -> None:
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 403
    before = InstalledDefinition.objects.count()
    assert client.post(URL, {"file": _file(), "install": "on"}).status_code == 403
    assert InstalledDefinition.objects.count() == before


def test_a_valid_file_is_checked_without_installing(admin: Client) -> None:
    before = InstalledDefinition.objects.count()
    response = admin.post(URL, {"file": _file()})
    assert response.status_code == 200
    assert "It was not installed" in page_text(response)
    assert InstalledDefinition.objects.count() == before


def test_a_valid_file_is_installed_and_audited(admin: Client, world: World) -> None:
    content = base_content()
    response = admin.post(URL, {"file": _file(content), "install": "on"})
    assert response.status_code == 200, page_text(response)
    assert f"Installed: {content['id']} {content['version']}" in page_text(response)
    row = InstalledDefinition.objects.get(instrument_id=content["id"], version=content["version"])
    assert row.installed_by == world.system_admin
    event = AuditEvent.objects.get(object_type="instrument_definition")
    assert (event.action, event.detail["sha256"]) == (AuditAction.CREATE, row.sha256)
    again = admin.post(URL, {"file": _file(content), "install": "on"})
    assert "Already installed (identical)" in page_text(again)


def test_a_broken_file_shows_every_message_and_changes_nothing(admin: Client) -> None:
    content = base_content()
    del content["title"]
    content["indicators"][0]["title"] = 7
    before = InstalledDefinition.objects.count()
    response = admin.post(URL, {"file": _file(content), "install": "on"})
    assert response.status_code == 400
    text = page_text(response)
    assert "was refused: nothing was installed" in text
    assert "title : is required but missing" in text
    assert "indicators[0].title" in text
    assert InstalledDefinition.objects.count() == before
    assert not AuditEvent.objects.filter(object_type="instrument_definition").exists()


@pytest.mark.parametrize(
    ("name", "raw", "problem"),
    [
        ("official.exe", b"id: x\n", "Upload a YAML definition file"),
        ("official.yaml", b"id: x\x00\n", "Upload a YAML definition file"),
        ("official.yaml", b"#" * (MAX_FILE_BYTES + 10), "larger than the"),
        ("official.yaml", b"id: [unclosed\n", "YAML syntax error"),
    ],
)
def test_size_and_type_limits(admin: Client, name: str, raw: bytes, problem: str) -> None:
    response = admin.post(URL, {"file": _file(name=name, raw=raw), "install": "on"})
    assert response.status_code == 400
    assert problem in page_text(response)
