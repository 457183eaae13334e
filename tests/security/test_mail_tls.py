"""Mail leaves over TLS by default in production (issue 18, point 4), and plain SMTP is flagged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from sightline.security.checks import SMTP_BACKEND, mail_over_tls

ROOT = Path(__file__).resolve().parents[2]


def _production_mail(**env: str) -> list[str]:
    environment = {
        **os.environ,
        "SECRET_KEY": "x" * 60,
        "SIGHTLINE_FIELD_KEYS": "dGVzdC1maWVsZC1rZXktMDAwMDAwMDAwMDAwMDAwMDA",
        "SIGHTLINE_SEARCH_KEY": "dGVzdC1zZWFyY2gta2V5LTAwMDAwMDAwMDAwMDAwMDA",
        **env,
    }
    for name in ("EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_PORT", "DEBUG"):
        if name not in env:
            environment.pop(name, None)
    script = (
        "import sightline.config.settings_production as s;"
        "print(s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_PORT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()


def test_production_sends_mail_with_starttls_unless_turned_off() -> None:
    assert _production_mail() == ["True", "False", "587"]
    assert _production_mail(EMAIL_USE_SSL="1") == ["False", "True", "465"]
    assert _production_mail(EMAIL_USE_TLS="0") == ["False", "False", "587"]


@pytest.mark.parametrize(
    ("tls", "ssl", "allowed", "warned"),
    [
        (True, False, False, False),
        (False, True, False, False),
        (False, False, False, True),
        (False, False, True, False),
    ],
)
def test_deploy_check_flags_plain_smtp(tls: bool, ssl: bool, allowed: bool, warned: bool) -> None:
    with override_settings(
        EMAIL_BACKEND=SMTP_BACKEND,
        EMAIL_USE_TLS=tls,
        EMAIL_USE_SSL=ssl,
        SIGHTLINE_EMAIL_PLAINTEXT_ALLOWED=allowed,
    ):
        assert [w.id for w in mail_over_tls()] == (["sightline.W101"] if warned else [])


def test_deploy_check_ignores_backends_that_do_not_send() -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert mail_over_tls() == []
