"""Set-password links for invited people: Django's reset-token machinery with a salt and a lifetime of
their own.

An invitation link is a password-reset link (`PasswordResetTokenGenerator`): the token is an HMAC over
the account's id, its password hash, its last sign-in and a timestamp, so it stops working once the
password is set (single use) and after `SIGHTLINE_INVITATION_TIMEOUT` seconds (expiring). Its own salt
means a reset token is never an invitation token, nor the other way round, and an invitation may live
longer (days: the person may not read their mail within the reset link's hour).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

DEFAULT_TIMEOUT = 3 * 24 * 60 * 60


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The reset generator's tokens under another salt, checked against the invitation lifetime."""

    key_salt = "sightline.security.invitations.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        # Django's own check, but for the lifetime (it reads PASSWORD_RESET_TIMEOUT).
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= lifetime_seconds()


def lifetime_seconds() -> int:
    return int(getattr(settings, "SIGHTLINE_INVITATION_TIMEOUT", DEFAULT_TIMEOUT))


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user: Any) -> str:
    """The absolute set-password link for `user` (under SIGHTLINE_BASE_URL)."""
    path = reverse(
        "web:invitation-accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    base = urlsplit(settings.SIGHTLINE_BASE_URL)
    return f"{base.scheme}://{base.netloc}{path}"


def send_invitation(*, user: Any, agency_name: str, invited_by: str, new_account: bool) -> None:
    """Mail `user` their set-password link (a new account) or the news of their new role (an account
    they already use). The mail names the agency and the inviter, nothing else."""
    context = {
        "user": user,
        "agency_name": agency_name,
        "invited_by": invited_by,
        "link": invitation_link(user) if new_account else "",
        "hours": lifetime_seconds() // 3600,
        "sign_in": f"{settings.SIGHTLINE_BASE_URL.rstrip('/')}{reverse('web:login')}",
    }
    subject = render_to_string("web/people/invitation_subject.txt", context).strip()
    body = render_to_string("web/people/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])
