"""The one door for reads of youth data: every query starts from the acting user's agencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction
from sightline.privacy.blind_index import index_tokens, name_tokens, search_alternatives
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission
from sightline.youth import errors
from sightline.youth.models import IntakeEpisode, Youth, YouthNameToken
from sightline.youth.search_index import case_number_digests, searched_digests

NOT_FOUND = "No such youth."


def youth_visible_to(
    *, user: User, permission: Permission = Permission.YOUTH_VIEW
) -> QuerySet[Youth]:
    """Youth of the active agencies where the user's active membership grants `permission`.

    Lazy: the membership check is a subquery, so the list is one query and reflects access at the moment
    it is read. Analysts, researchers, agency admins and system admins get nothing.
    """
    return access.scoped(
        Youth.objects.select_related("agency").order_by("-created_at", "-pk"),
        user=user,
        permission=permission,
    )


def youth_for_user(
    *,
    user: User,
    pk: object,
    permission: Permission = Permission.YOUTH_VIEW,
    context: AuditContext | None = None,
    record: AuditAction | None = None,
) -> Youth:
    """One youth the user may see: missing and another agency's youth are the same NotFound (404).

    With a `permission` beyond YOUTH_VIEW (YOUTH_EDIT), a user who may see but not change the record
    gets Forbidden (403). `record` writes that audit event (VIEW when a page shows the youth).
    """
    return access.one(
        youth_visible_to(user=user),
        user=user,
        pk=pk,
        permission=permission,
        view_permission=Permission.YOUTH_VIEW,
        object_type="youth",
        missing=NOT_FOUND,
        context=context,
        record=record,
    )


def _has_every_token(queryset: QuerySet[Youth], words: Iterable[str]) -> QuerySet[Youth]:
    """Youth with, for each search word, a name word that equals it or starts with it (under any
    configured search key: during a rotation a youth may still carry the old key's tokens)."""
    for word in sorted(set(words)):
        queryset = queryset.filter(
            Exists(
                YouthNameToken.objects.filter(
                    youth_id=OuterRef("pk"),
                    digest__in=searched_digests(search_alternatives(word)),
                )
            )
        )
    return queryset


def youth_search(
    *,
    user: User,
    name: str = "",
    case_number: str = "",
    date_of_birth: dt.date | None = None,
) -> QuerySet[Youth]:
    """Youth visible to the user matching every key given; no key at all matches nobody.

    `name` matches when each of its words equals, or (from three letters on) begins, a word of the first
    name, last name or an alias, ignoring case and accents ("maria" finds "María", "Cast" finds
    "Castellanos", "Soren" finds "Søren"). Names are encrypted: there is no match inside a word, nor fuzzy.
    `case_number` is encrypted too and matches exactly on its normalised form (case, accents and
    separators ignored: "cw 101" finds "CW-101"), through its blind-index digest.
    """
    name = name.strip()
    case_number = case_number.strip()
    found = youth_visible_to(user=user)
    if not (name or case_number or date_of_birth):
        return found.none()
    if name:
        tokens = name_tokens(name)
        if not tokens:  # only punctuation: nothing can match
            return found.none()
        found = _has_every_token(found, tokens)
    if case_number:
        wanted = case_number_digests(case_number)
        if not wanted:  # only punctuation: nothing can match
            return found.none()
        found = found.filter(case_number_digest__in=wanted)
    if date_of_birth is not None:
        found = found.filter(date_of_birth=date_of_birth)
    return found


def youth_likely_duplicates(
    *,
    user: User,
    agency: Agency,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    case_number: str = "",
    aliases: Iterable[str] = (),
    exclude_pk: int | None = None,
) -> list[Youth]:
    """Youth of `agency` that may be the same person: the same case number, or the same date of birth
    and at least one shared name word (first, last or alias).

    Scoped to youth the user may edit: it warns before a create, so only people who could create there
    see it.
    """
    shared_name = Exists(
        YouthNameToken.objects.filter(
            youth_id=OuterRef("pk"),
            digest__in=searched_digests(index_tokens(first_name, last_name, *aliases)),
        )
    )
    match = Q(date_of_birth=date_of_birth) & Q(shared_name)
    wanted = case_number_digests(case_number)
    if wanted:
        match |= Q(case_number_digest__in=wanted)
    found = youth_visible_to(user=user, permission=Permission.YOUTH_EDIT).filter(
        match, agency_id=agency.pk
    )
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return list(found.order_by("pk"))


def open_intake(youth: Youth, *, on: dt.date | None = None) -> IntakeEpisode | None:
    """The youth's episode of service open on `on` (default: open now, i.e. not closed).

    An episode covers its intake day through its exit day, both inclusive; when two cover the same day
    (exit and re-intake on one day) the later one wins.
    """
    episodes = IntakeEpisode.objects.filter(youth_id=youth.pk)
    if on is None:
        episodes = episodes.filter(exit_on__isnull=True)
    else:
        episodes = episodes.filter(Q(exit_on__isnull=True) | Q(exit_on__gte=on), intake_on__lte=on)
    return episodes.order_by("-intake_on", "-pk").first()


def intake_for_user(
    *,
    user: User,
    pk: object,
    permission: Permission = Permission.YOUTH_VIEW,
    context: AuditContext | None = None,
    record: AuditAction | None = None,
) -> IntakeEpisode:
    """An intake of a youth the user may see; a missing and a foreign intake are the same 404, and
    changing it takes `permission` (YOUTH_EDIT) at its agency."""
    return access.one(
        access.scoped(IntakeEpisode.objects.all(), user=user, permission=Permission.YOUTH_VIEW),
        user=user,
        pk=pk,
        permission=permission,
        view_permission=Permission.YOUTH_VIEW,
        object_type="intakeepisode",
        missing=errors.INTAKE_NOT_FOUND,
        context=context,
        record=record,
    )
