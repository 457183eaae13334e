"""Hardening headers on every page, and `check --deploy` clean under the production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["web:login", "web:home", "web:youth-list", "web:account"])
def test_every_page_carries_csp_permissions_policy_and_no_store(
    client: Client, world: World, name: str
) -> None:
    if name != "web:login":
        client.force_login(world.screener)
    response = client.get(reverse(name))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_template_has_inline_script_style_or_event_handlers() -> None:
    templates = ROOT / "src" / "sightline"
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    inline = re.compile(r"""(\sstyle=|\son[a-z]+=|hx-on|<style|javascript:)""", re.IGNORECASE)
    for path in templates.rglob("templates/**/*.html"):
        if "email" in path.parts:
            continue  # e-mail bodies are not served to browsers; mail clients need inline style
        text = path.read_text()
        if inline_script.search(text) or inline.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_htmx_is_configured_for_the_csp() -> None:
    base = (ROOT / "src/sightline/web/templates/web/base.html").read_text()
    assert '"allowEval":false' in base and '"includeIndicatorStyles":false' in base


def test_check_deploy_passes_under_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sightline.config.settings_production",
        "SECRET_KEY": "k" * 10 + "a-long-random-production-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "sightline.example.org",
        "SIGHTLINE_FIELD_KEYS": "dGVzdC1maWVsZC1rZXktMDAwMDAwMDAwMDAwMDAwMDA",
        "SIGHTLINE_SEARCH_KEY": "dGVzdC1zZWFyY2gta2V5LTAwMDAwMDAwMDAwMDAwMDA",
        "SIGHTLINE_VAR_DIR": str(tmp_path),
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_turn_on_tls_and_two_factor() -> None:
    source = (ROOT / "src/sightline/config/settings_production.py").read_text()
    for setting in (
        "SECURE_SSL_REDIRECT = True",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS = True",
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "SIGHTLINE_REQUIRE_MFA = True",
        "DEBUG = False",
    ):
        assert setting in source
