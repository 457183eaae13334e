"""Every change made in the Django admin becomes an audit event, whichever admin class made it.

Django writes a `LogEntry` for each addition, change and deletion made through the admin, including
those no `save_model` sees (password changes, bulk actions, inlines). Each one is copied into the
audit log as CREATE / CHANGE / DELETE of the changed record, with what the admin said changed (field
names, never values), so the tamper-evident chain covers the admin too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sightline.audit.choices import AuditAction

_ACTIONS = {1: AuditAction.CREATE, 2: AuditAction.CHANGE, 3: AuditAction.DELETE}


def record_admin_change(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """`post_save` receiver for `django.contrib.admin.models.LogEntry`."""
    if not created or kwargs.get("raw"):
        return
    from sightline.audit.models import AuditEvent
    from sightline.audit.services import audit_record

    content_type = instance.content_type
    action = _ACTIONS.get(instance.action_flag, AuditAction.CHANGE)
    object_type = (content_type.model if content_type else "unknown")[:32]
    object_id = str(instance.object_id or "")[:64]
    if object_type == "user" and "password" in instance.get_change_message().lower():
        # A password set in the admin is the security app's PASSWORD event (with its MFA reset).
        return
    # An audited admin class (tenancy.admin.AuditedAdmin) already recorded this save, with the
    # request's address, a moment ago: one event per change, not two.
    already = AuditEvent.objects.filter(
        actor_id=instance.user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail__via="admin",
        at__gte=instance.action_time - dt.timedelta(seconds=5),
    )
    if already.exists():
        return
    audit_record(
        actor=instance.user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail={
            "via": "admin",
            "model": f"{content_type.app_label}.{content_type.model}" if content_type else "",
            "change": instance.get_change_message()[:500],
        },
    )
