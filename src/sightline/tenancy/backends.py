"""The authentication backend: Django's model backend, reading a person's roles with them.

Every signed-in request loads its user from the session; the access layer then needs that person's
active roles per agency. Reading both in one query (the roles as one aggregated column of the user's
row) saves a statement on every request, and the roles are as fresh as before: read in the same
request, consumed once (`permissions.roles_loaded_with`), and read again after `forget_grants()`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat

from sightline.tenancy import permissions
from sightline.tenancy.models import Membership, User

ROLE_PAIRS = "_sightline_role_pairs"


class _Joined(Aggregate):
    """The values of a text expression joined with commas (GROUP_CONCAT / STRING_AGG)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def role_pairs_of(outer: str = "pk") -> Subquery:
    """ "agency_id:role" of every active membership in an active agency of the user whose id is the
    outer query's `outer` column, joined with commas (NULL: none): annotate a user (or a row holding
    one) with it, and hand the text to `take_role_pairs`."""
    pair = Concat(Cast("agency_id", CharField()), Value(":"), F("role"), output_field=TextField())
    return Subquery(
        Membership.objects.filter(user_id=OuterRef(outer), active=True, agency__active=True)
        .order_by()
        .values("user_id")
        .annotate(pairs=_Joined(pair))
        .values("pairs")
    )


def take_role_pairs(user: User, pairs: str | None) -> None:
    """Give `user` the roles read with them (`role_pairs_of`), for the request's access checks."""
    roles: dict[int, set[str]] = {}
    for pair in filter(None, (pairs or "").split(",")):
        agency_id, role = pair.split(":", 1)
        roles.setdefault(int(agency_id), set()).add(role)
    permissions.roles_loaded_with(user, {a: frozenset(r) for a, r in roles.items()})


class RolesBackend(ModelBackend):
    """`get_user` reads the user and their roles in one query; everything else is ModelBackend's."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User._default_manager.annotate(**{ROLE_PAIRS: role_pairs_of()})
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        take_role_pairs(user, user.__dict__.pop(ROLE_PAIRS))
        return user
