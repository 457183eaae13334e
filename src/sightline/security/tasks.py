"""Password-reset mail, sent off the request: the request does the same work for a known and an
unknown address (queue one task), so neither its answer nor its timing says whether an account exists."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django_tasks import task

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext, Channel
from sightline.audit.services import audit_record


class _ResetForm(PasswordResetForm):
    """Django's reset form, writing each mail in its recipient's own language (User.language)."""

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = kwargs.get("context") or args[2]
        language = getattr(context["user"], "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(*args, **kwargs)


@task()
def send_password_reset_task(email: str, ip_address: str | None = None) -> int:
    """Mail a single-use reset link to each active account with this address; returns how many."""
    form = _ResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    base = urlsplit(settings.SIGHTLINE_BASE_URL)
    form.save(
        domain_override=base.netloc,
        use_https=base.scheme == "https",
        subject_template_name="web/accounts/password_reset_subject.txt",
        email_template_name="web/accounts/password_reset_email.txt",
    )
    context = AuditContext(channel=Channel.SYSTEM, ip_address=ip_address)
    for user in users:
        audit_record(
            actor=None,
            action=AuditAction.PASSWORD,
            obj=user,
            context=context,
            detail={"how": "reset_link_sent"},
        )
    return len(users)
