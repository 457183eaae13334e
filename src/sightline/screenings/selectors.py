"""The one door for reads of screenings and follow-ups: every query starts from the acting user's agencies.

Every screening queryset here is annotated with `is_superseded` (a later final version of the same
screening exists) so lists can show each screening once, by its current version.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction
from sightline.screenings import errors
from sightline.screenings.choices import FollowUpKind, ReviewDecision
from sightline.screenings.definitions import definition_for
from sightline.screenings.errors import ScreeningError
from sightline.screenings.followups import FollowUpState
from sightline.screenings.models import (
    FollowUpAction,
    Screening,
    ScreeningReview,
    ScreeningStatus,
)
from sightline.tenancy import access
from sightline.tenancy.models import User
from sightline.tenancy.permissions import Permission
from sightline.youth.models import Youth

NOT_FOUND = "No such screening."
FOLLOWUP_NOT_FOUND = "No such follow-up."


def _superseded() -> Exists:
    # Versions form a line (only the current final version can be amended, one draft at a time), so a
    # final version is superseded exactly when a final amendment of it exists.
    return Exists(Screening.objects.filter(amends_id=OuterRef("pk"), status=ScreeningStatus.FINAL))


def _status(status: str | None) -> str | None:
    if status is not None and status not in ScreeningStatus.values:
        raise ScreeningError(errors.UNKNOWN_STATUS, field="status")
    return status


def screenings_visible_to(
    *, user: User, permission: Permission = Permission.SCREENING_VIEW
) -> QuerySet[Screening]:
    """Every version of every screening of the active agencies where the user's active membership grants
    `permission`. Lazy: access is decided when the list is read. Analysts, researchers, agency admins
    and system admins get nothing."""
    return access.scoped(
        Screening.objects.annotate(is_superseded=_superseded())
        .select_related("youth", "agency", "screener", "finalized_by")
        .order_by("-screened_on", "-pk"),
        user=user,
        permission=permission,
    )


def screening_for_user(
    *,
    user: User,
    pk: object,
    permission: Permission = Permission.SCREENING_VIEW,
    context: AuditContext | None = None,
    record: AuditAction | None = None,
    plain: bool = False,
    for_update: bool = False,
) -> Screening:
    """One screening the user may see: missing and another agency's are the same NotFound (404).

    With a `permission` beyond SCREENING_VIEW (SCREENING_EDIT, FOLLOWUP_EDIT ...), a user who may see
    but not act on it gets Forbidden (403). `record` writes that audit event (VIEW, PRINT).
    `plain` reads the row and its youth only (no annotations, no other joins): what a form post
    needs. `for_update` (services, inside their transaction) locks the row and reads only it.
    """
    if for_update:
        rows = Screening.objects.select_for_update()
    elif plain:
        rows = Screening.objects.select_related("youth")
    else:
        rows = screenings_visible_to(user=user)
    if for_update or plain:
        rows = access.scoped(rows, user=user, permission=Permission.SCREENING_VIEW)
    return access.one(
        rows,
        user=user,
        pk=pk,
        permission=permission,
        view_permission=Permission.SCREENING_VIEW,
        object_type="screening",
        missing=NOT_FOUND,
        context=context,
        record=record,
    )


def _listed(screenings: QuerySet[Screening], status: str | None) -> QuerySet[Screening]:
    # A list shows each screening once: superseded versions live in `youth_history`, and voided drafts
    # only when asked for.
    status = _status(status)
    screenings = screenings.filter(is_superseded=False)
    if status is None:
        return screenings.exclude(status=ScreeningStatus.VOIDED)
    return screenings.filter(status=status)


def my_screenings(*, user: User, status: str | None = None) -> QuerySet[Screening]:
    """The screenings the user is the screener of, current versions only; all but voided by default."""
    return _listed(screenings_visible_to(user=user).filter(screener_id=user.pk), status)


def agency_screenings(
    *,
    user: User,
    status: str | None = None,
    level: str | None = None,
    screener_id: int | None = None,
    instrument_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Screening]:
    """The supervisor's list: current versions of every screening of the agencies where the user has
    AGENCY_OVERVIEW (empty for everyone else). Each filter given narrows it; dates are the screening
    date, both ends inclusive. `level` is a level code of the definition ("clear", ...)."""
    found = _listed(
        screenings_visible_to(user=user, permission=Permission.AGENCY_OVERVIEW),
        status,
    )
    if level:
        found = found.filter(level=level)
    if screener_id is not None:
        found = found.filter(screener_id=screener_id)
    if instrument_id:
        found = found.filter(instrument_id=instrument_id)
    if date_from is not None:
        found = found.filter(screened_on__gte=date_from)
    if date_to is not None:
        found = found.filter(screened_on__lte=date_to)
    return found


def youth_history(*, user: User, youth: Youth) -> list[Screening]:
    """Every version of every screening of `youth` the user may see, newest first.

    Each row gets `is_current` (final and not superseded: the version that counts) and `superseded_by`
    (the id of the final version that replaced it, or None). One query.
    """
    versions = list(screenings_visible_to(user=user).filter(youth_id=youth.pk))
    replaced_by = {
        version.amends_id: version.pk
        for version in versions
        if version.amends_id is not None and version.status == ScreeningStatus.FINAL
    }
    for version in versions:
        version.superseded_by = replaced_by.get(version.pk)
        version.is_current = version.status == ScreeningStatus.FINAL and not version.is_superseded
    return versions


def current_version(screening: Screening) -> Screening:
    """The newest final version of `screening`'s chain, or `screening` itself when none is final."""
    newest = (
        Screening.objects.filter(chain=screening.chain, status=ScreeningStatus.FINAL)
        .order_by("-finalized_at", "-pk")
        .first()
    )
    return newest or screening


def followups_visible_to(
    *, user: User, permission: Permission = Permission.SCREENING_VIEW
) -> QuerySet[FollowUpAction]:
    """Follow-up actions of the agencies where the user's active membership grants `permission`;
    open ones first, soonest due first."""
    return access.scoped(
        FollowUpAction.objects.select_related("screening", "screening__youth", "owner", "agency")
        # NULL sorts first in SQLite and last in PostgreSQL unless said.
        .order_by(F("completed_on").asc(nulls_first=True), "due_on", "pk"),
        user=user,
        permission=permission,
    )


def followup_for_user(
    *,
    user: User,
    pk: object,
    permission: Permission = Permission.SCREENING_VIEW,
    context: AuditContext | None = None,
    record: AuditAction | None = None,
) -> FollowUpAction:
    """One follow-up the user may see; 404 for missing and foreign alike, 403 when `permission`
    (FOLLOWUP_EDIT) is lacking at its agency."""
    return access.one(
        followups_visible_to(user=user),
        user=user,
        pk=pk,
        permission=permission,
        view_permission=Permission.SCREENING_VIEW,
        object_type="followupaction",
        missing=FOLLOWUP_NOT_FOUND,
        context=context,
        record=record,
    )


def followup_suggestions(screening: Screening) -> tuple[str, ...]:
    """What the definition says the screening's concern level calls for (empty without a level)."""
    if not screening.level:
        return ()
    definition = definition_for(screening)
    level = next((lvl for lvl in definition.levels if lvl.code == screening.level), None)
    return tuple(level.follow_up) if level is not None else ()


# --- supervisor review (ADR 0007) ----------------------------------------------------------------------


def _latest_review(field: str) -> Subquery:
    """`field` of the latest review of the outer screening version (None when never reviewed)."""
    latest = ScreeningReview.objects.filter(screening_id=OuterRef("pk")).order_by(
        "-reviewed_at", "-pk"
    )
    return Subquery(latest.values(field)[:1])


def screenings_awaiting_review(*, user: User) -> QuerySet[Screening]:
    """Current final versions at the agencies where the user has AGENCY_OVERVIEW that nobody has
    reviewed yet, longest waiting first. The user's own screenings (screened or finalized) are left
    out: another supervisor reviews those. Each row has `was_returned`: an earlier version of it was
    returned, so this is the screener's correction or amendment coming back."""
    return (
        _listed(
            screenings_visible_to(user=user, permission=Permission.AGENCY_OVERVIEW),
            ScreeningStatus.FINAL,
        )
        .exclude(screener_id=user.pk)
        .exclude(finalized_by_id=user.pk)
        .filter(~Exists(ScreeningReview.objects.filter(screening_id=OuterRef("pk"))))
        .annotate(
            was_returned=Exists(
                ScreeningReview.objects.filter(
                    screening__chain=OuterRef("chain"), decision=ReviewDecision.RETURNED
                )
            )
        )
        .order_by("finalized_at", "pk")
    )


def returned_to(*, user: User) -> QuerySet[Screening]:
    """The user's screenings (as screener) whose current version a supervisor returned, most
    recently returned first; each has `returned_at` and `correction_open` (a new version of it is
    in progress)."""
    return (
        _listed(screenings_visible_to(user=user), ScreeningStatus.FINAL)
        .filter(screener_id=user.pk)
        .annotate(latest_decision=_latest_review("decision"))
        .filter(latest_decision=ReviewDecision.RETURNED)
        .annotate(
            returned_at=_latest_review("reviewed_at"),
            correction_open=Exists(
                Screening.objects.filter(amends_id=OuterRef("pk"), status=ScreeningStatus.DRAFT)
            ),
        )
        .order_by("-returned_at", "-pk")
    )


def chain_reviews(*, user: User, screening: Screening) -> list[ScreeningReview]:
    """Every review of every version of `screening`'s chain that the user may see, newest first."""
    return list(
        access.scoped(
            ScreeningReview.objects.filter(screening__chain=screening.chain).select_related(
                "reviewed_by"
            ),
            user=user,
            permission=Permission.SCREENING_VIEW,
        ).order_by("-reviewed_at", "-pk")
    )


# --- follow-up work lists (issue 21) ----------------------------------------------------------------------


def open_followups(
    *,
    user: User,
    today: dt.date,
    owner_id: int | None = None,
    agency_id: int | None = None,
    kind: str | None = None,
    state: str | None = None,
    permission: Permission = Permission.SCREENING_VIEW,
) -> QuerySet[FollowUpAction]:
    """Follow-ups the user may see (with `permission`), with `state` ("open", "overdue", "done") and
    `days_late` computed in SQL as `followups.followup_state` does; soonest due first.

    By default only follow-ups not yet completed; `state="done"` lists completed ones. `owner_id` and
    `agency_id` narrow the already scoped rows (they never widen them). ValueError for an unknown
    state or kind.
    """
    rows = followups_visible_to(user=user, permission=permission).annotate(
        state=Case(
            When(completed_on__isnull=False, then=Value(FollowUpState.DONE.value)),
            When(due_on__lt=today, then=Value(FollowUpState.OVERDUE.value)),
            default=Value(FollowUpState.OPEN.value),
            output_field=CharField(),
        )
    )
    if state == FollowUpState.DONE.value:
        rows = rows.filter(completed_on__isnull=False).order_by("-completed_on", "-pk")
    else:
        rows = rows.filter(completed_on__isnull=True).order_by("due_on", "pk")
        if state == FollowUpState.OVERDUE.value:
            rows = rows.filter(due_on__lt=today)
        elif state == FollowUpState.OPEN.value:
            rows = rows.filter(due_on__gte=today)
        elif state:
            raise ValueError(f"unknown follow-up state {state!r}")
    if kind:
        if kind not in FollowUpKind.values:
            raise ValueError(f"unknown follow-up kind {kind!r}")
        rows = rows.filter(kind=kind)
    if owner_id is not None:
        rows = rows.filter(owner_id=owner_id)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return rows


def followup_counts(
    *, user: User, today: dt.date, owner_id: int | None = None, agency_id: int | None = None
) -> dict[str, int]:
    """How many follow-ups the user may see are open (not yet due) and overdue: one query."""
    rows = followups_visible_to(user=user).filter(completed_on__isnull=True)
    if owner_id is not None:
        rows = rows.filter(owner_id=owner_id)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    counts = rows.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        open=Count("pk", filter=Q(due_on__gte=today)),
    )
    return {"overdue": counts["overdue"], "open": counts["open"]}
