"""Two-factor sign-in (TOTP + recovery codes), required for every role that sees identified data.

The rest of the suite signs in with force_login and two-factor off (tests/settings.py); here it is on,
as in every real deployment."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.security import totp
from sightline.security.models import RecoveryCode, TOTPDevice
from tests.conftest import World
from tests.web.pages import page_text

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests"


@pytest.fixture(autouse=True)
def _mfa_on(settings: Any) -> None:
    settings.SIGHTLINE_REQUIRE_MFA = True


def _sign_in(client: Client, username: str = "screener") -> Any:
    return client.post(reverse("web:login"), {"username": username, "password": PASSWORD})


def _code(user: Any, offset: float = 0) -> str:
    secret = TOTPDevice.objects.get(user=user).secret
    return totp.totp(totp.secret_bytes(secret), time.time() + offset)


def _enrol(client: Client, user: Any) -> list[str]:
    client.get(reverse("web:mfa-setup"))
    response = client.post(reverse("web:mfa-setup"), {"code": _code(user)})
    assert response.status_code == 200
    return list(response.context["codes"])


@pytest.mark.parametrize(
    ("persona", "required"),
    [
        ("screener", True),
        ("supervisor", True),
        ("agency_admin", True),
        ("system_admin", True),
        ("analyst", False),
        ("researcher", False),
    ],
)
def test_two_factor_is_required_for_every_role_that_sees_identified_data(
    client: Client, world: World, persona: str, required: bool
) -> None:
    user = getattr(world, persona)
    response = _sign_in(client, user.username)
    assert response.status_code == 302
    if required:
        assert response.url.startswith(reverse("web:mfa-setup"))
        for page in (reverse("web:home"), reverse("web:staff"), "/admin/"):
            refused = client.get(page)
            assert refused.status_code == 302 and refused.url.startswith(reverse("web:mfa-setup"))
    else:
        assert response.url == reverse("web:home")
        assert client.get(reverse("web:home")).status_code == 200


def test_force_login_does_not_skip_the_second_factor(client: Client, world: World) -> None:
    client.force_login(world.screener)
    response = client.get(reverse("web:youth-list"))
    assert response.url == f"{reverse('web:mfa-setup')}?next={reverse('web:youth-list')}"
    htmx = client.get(reverse("web:youth-list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(reverse("web:mfa-setup"))


def test_enrolment_shows_the_key_and_gives_ten_recovery_codes(client: Client, world: World) -> None:
    _sign_in(client)
    page = client.get(reverse("web:mfa-setup"))
    secret = TOTPDevice.objects.get(user=world.screener).secret
    text = page_text(page)
    assert secret[:4] in text and "otpauth://totp/Sightline" in page.content.decode()
    assert 'src="data:image/svg+xml' in page.content.decode()  # the QR code, made server-side
    wrong = client.post(reverse("web:mfa-setup"), {"code": "000000"})
    assert "not right" in page_text(wrong)
    codes = _enrol(client, world.screener)
    assert len(codes) == len(set(codes)) == 10
    assert client.get(reverse("web:youth-list")).status_code == 200
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert not any(code in digest for code in codes for digest in stored)  # only hashes kept
    assert AuditEvent.objects.filter(action=AuditAction.MFA, detail__event="enrolled").count() == 1


def test_a_later_sign_in_needs_the_current_code_and_a_code_works_once(world: World) -> None:
    first = Client()
    _sign_in(first)
    _enrol(first, world.screener)
    TOTPDevice.objects.filter(user=world.screener).update(last_step=-1)
    client = Client()
    response = _sign_in(client)
    assert response.url.startswith(reverse("web:mfa-verify"))
    assert client.get(reverse("web:home")).url.startswith(reverse("web:mfa-verify"))
    code = _code(world.screener)
    client.post(reverse("web:mfa-verify"), {"code": code, "next": "/youth/"})
    assert client.get(reverse("web:youth-list")).status_code == 200
    replay = Client()
    _sign_in(replay)
    refused = replay.post(reverse("web:mfa-verify"), {"code": code})
    assert "not right" in page_text(refused)
    assert replay.get(reverse("web:home")).status_code == 302


def test_a_recovery_code_signs_in_once(world: World) -> None:
    enrolling = Client()
    _sign_in(enrolling)
    codes = _enrol(enrolling, world.screener)
    client = Client()
    _sign_in(client)
    client.post(reverse("web:mfa-verify"), {"code": codes[3].upper()})
    assert client.get(reverse("web:home")).status_code == 200
    again = Client()
    _sign_in(again)
    again.post(reverse("web:mfa-verify"), {"code": codes[3]})
    assert again.get(reverse("web:home")).status_code == 302
    assert AuditEvent.objects.filter(detail__event="recovery_code_used").count() == 1


def test_wrong_codes_count_as_failed_sign_ins_and_lock_the_account(world: World) -> None:
    enrolling = Client()
    _sign_in(enrolling)
    _enrol(enrolling, world.screener)
    client = Client()
    _sign_in(client)
    for _ in range(5):
        response = client.post(reverse("web:mfa-verify"), {"code": "000000"})
    assert response.url == reverse("web:login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT).count() == 1
    fresh = Client()
    assert "Too many failed attempts" in page_text(_sign_in(fresh))


def test_an_enrolled_person_is_asked_for_the_code_even_where_two_factor_is_optional(
    settings: Any, world: World
) -> None:
    enrolling = Client()
    _sign_in(enrolling)
    _enrol(enrolling, world.screener)
    settings.SIGHTLINE_REQUIRE_MFA = False
    client = Client()
    assert _sign_in(client).url.startswith(reverse("web:mfa-verify"))


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(world: World) -> None:
    client = Client()
    _sign_in(client)
    old = _enrol(client, world.screener)
    refused = client.post(reverse("web:mfa-recovery-codes"), {"password": "not-my-password"})
    assert "not your password" in page_text(refused)
    response = client.post(reverse("web:mfa-recovery-codes"), {"password": PASSWORD})
    new = list(response.context["codes"])
    assert len(new) == 10 and not set(new) & set(old)
    later = Client()
    _sign_in(later)
    later.post(reverse("web:mfa-verify"), {"code": old[0]})
    assert later.get(reverse("web:home")).status_code == 302  # the old codes are gone
    later.post(reverse("web:mfa-verify"), {"code": new[0]})
    assert later.get(reverse("web:home")).status_code == 200
    assert AuditEvent.objects.filter(detail__event="recovery_codes_renewed").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 2
