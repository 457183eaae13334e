"""Colleagues named by id in a request (an assignee, a follow-up's owner), resolved through the
tenancy selector that lists only the caller's own agencies' staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sightline.common.errors import ServiceError
from sightline.tenancy.permissions import Permission
from sightline.tenancy.selectors import people_with_permission

if TYPE_CHECKING:
    from sightline.tenancy.models import User

NO_SUCH_COLLEAGUE = "No such colleague at this agency who may do this."


def colleague(
    *, user: User, agency_id: int, person_id: int | None, permission: Permission, field: str
) -> User | None:
    if person_id is None:
        return None
    for person in people_with_permission(user=user, agency_ids=[agency_id], perm=permission):
        if person.pk == person_id:
            return person
    raise ServiceError(NO_SUCH_COLLEAGUE, field=field)
