"""The validation studio (issue 20, points 3 and 5): saved studies over de-identified data.

Researchers only (`Permission.VALIDATION_STUDY`), at agencies where they hold it. A study is asked for
(`study_create`, `study_rerun`: a CREATE audit event, a queued background task), run by the task
(`study_execute`: reads the de-identified rows, hashes them, computes, stores the result; a CHANGE
audit event), and read back through `study_for_user` / `studies_visible_to`, the one door to studies.

The data never leave de-identified: screenings become the rows of `research.export.deidentified_row`
(pseudonymous ids, dates shifted per youth) plus a pseudonymous screener id; criterion records become
(youth pseudonym, source, finding, shifted date). `validation.deidentified` builds the sample from
those rows alone, so the snapshot hash over them is exactly what the result depends on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from sightline import instruments
from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common.errors import ServiceError
from sightline.research import deidentify
from sightline.research.export import deidentified_row, research_key
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission
from sightline.validation import deidentified
from sightline.validation.models import CriterionKind, CriterionRecord, Study, StudyStatus
from sightline.validation.report import as_data
from sightline.validation.study import SMALL_GROUP, run_study

PERMISSION = Permission.VALIDATION_STUDY
OBJECT_TYPE = "validation_study"
NO_SUCH_STUDY = "No such study."
UNKNOWN_INSTRUMENT = "No instrument {instrument} is installed."
PERIOD_BACKWARDS = "The period must end on or after the day it starts."
NO_AGENCY = "Choose at least one agency."
NO_CRITERION = "Name the criterion source the screenings are judged against."
UNKNOWN_KIND = "Unknown kind of criterion finding; one of {kinds}, or none for every kind."
WINDOW_RANGE = "A window is a number of days from 0 to 3,650."
ACCESS_LOST = "You no longer hold the researcher role at every agency of this study."
NO_DATA = "No screening in the period has a criterion record within the window."
MAX_WINDOW = 3650
STUDIES_SHOWN = 200
Progress = Callable[[str, int], None]


class StudyError(ServiceError):
    """A study that cannot be asked for or run as given."""


@dataclass(frozen=True)
class StudyParameters:
    """What a study reads: an instrument version, a period (real dates), agencies, a criterion."""

    instrument_id: str
    instrument_version: str
    period_start: dt.date
    period_end: dt.date
    agency_ids: tuple[int, ...]
    criterion_source: str
    window_days: int = 365
    agreement_window_days: int = 30
    # One kind of finding of the source (a `CriterionKind` value), or "" for every kind it records:
    # a case system may record both substantiated allegations and another tool's item.
    criterion_kind: str = ""

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["period_start"] = self.period_start.isoformat()
        data["period_end"] = self.period_end.isoformat()
        data["agency_ids"] = list(self.agency_ids)
        return data

    @classmethod
    def of(cls, study: Study) -> StudyParameters:
        return cls(
            instrument_id=study.instrument_id,
            instrument_version=study.instrument_version,
            period_start=study.period_start,
            period_end=study.period_end,
            agency_ids=tuple(study.agency_ids),
            criterion_source=study.criterion_source,
            window_days=study.window_days,
            agreement_window_days=study.agreement_window_days,
            criterion_kind=study.criterion_kind,
        )


def definition_of(instrument_id: str, instrument_version: str) -> instruments.Definition:
    try:
        return instruments.load(f"{instrument_id}@{instrument_version}")
    except LookupError:
        raise StudyError(
            UNKNOWN_INSTRUMENT,
            field="instrument",
            instrument=f"{instrument_id}@{instrument_version}",
        ) from None


def _checked(parameters: StudyParameters) -> StudyParameters:
    definition_of(parameters.instrument_id, parameters.instrument_version)
    if parameters.period_end < parameters.period_start:
        raise StudyError(PERIOD_BACKWARDS, field="period_end")
    if not parameters.agency_ids:
        raise StudyError(NO_AGENCY, field="agencies")
    if not parameters.criterion_source.strip():
        raise StudyError(NO_CRITERION, field="criterion_source")
    if parameters.criterion_kind and parameters.criterion_kind not in CriterionKind.values:
        raise StudyError(
            UNKNOWN_KIND, field="criterion_kind", kinds=", ".join(CriterionKind.values)
        )
    for name in ("window_days", "agreement_window_days"):
        if not 0 <= getattr(parameters, name) <= MAX_WINDOW:
            raise StudyError(WINDOW_RANGE, field=name)
    return StudyParameters(
        **{
            **asdict(parameters),
            "agency_ids": tuple(sorted(set(parameters.agency_ids))),
            "criterion_source": parameters.criterion_source.strip(),
        }
    )


def _require_agencies(by: User, agency_ids: tuple[int, ...], context: AuditContext | None) -> None:
    """Each agency through the door: another agency is NotFound, the person's own one Forbidden."""
    for agency_id in agency_ids:
        access.agency_for_user(user=by, agency_id=agency_id, permission=PERMISSION, context=context)


def _queue(study: Study) -> None:
    from sightline.validation.tasks import study_run_task

    transaction.on_commit(lambda: study_run_task.enqueue(study.pk))


def study_create(
    *,
    by: User,
    parameters: StudyParameters,
    context: AuditContext | None = None,
    queue: bool = True,
) -> Study:
    """Save a study and queue its run (`queue=False`: the caller runs `study_execute` itself, as the
    CLI does); the person must hold VALIDATION_STUDY at every agency."""
    parameters = _checked(parameters)
    _require_agencies(by, parameters.agency_ids, context)
    return _start(by=by, parameters=parameters, rerun_of=None, context=context, queue=queue)


def study_rerun(
    *, study: Study, by: User, context: AuditContext | None = None, queue: bool = True
) -> Study:
    """A new study with the same parameters, pointing at `study` (read through `study_for_user`)."""
    parameters = StudyParameters.of(study)
    _require_agencies(by, parameters.agency_ids, context)
    return _start(by=by, parameters=parameters, rerun_of=study, context=context, queue=queue)


def _start(
    *,
    by: User,
    parameters: StudyParameters,
    rerun_of: Study | None,
    context: AuditContext | None,
    queue: bool,
) -> Study:
    with transaction.atomic():
        study = Study.objects.create(
            **{k: v for k, v in asdict(parameters).items() if k != "agency_ids"},
            agency_ids=list(parameters.agency_ids),
            rerun_of=rerun_of,
            created_by=by,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=study.pk,
            context=(context or AuditContext.system()).acting(by),
            detail={
                "parameters": parameters.as_json(),
                "rerun_of": rerun_of.pk if rerun_of else None,
            },
        )
        if queue:
            _queue(study)
    return study


# --- reading studies: the one door --------------------------------------------------------------------


def _visible(study: Study, allowed: set[int]) -> bool:
    return bool(study.agency_ids) and set(study.agency_ids) <= allowed


def _allowed(user: User) -> set[int]:
    return {int(pk) for pk in access.agency_ids_visible_to(user, PERMISSION)}


def studies_visible_to(*, user: User) -> list[Study]:
    """The most recent studies whose every agency the user holds VALIDATION_STUDY at."""
    allowed = _allowed(user)
    if not allowed:
        return []
    recent = Study.objects.select_related("rerun_of").order_by("-created_at", "-pk")
    return [s for s in recent[: STUDIES_SHOWN * 5] if _visible(s, allowed)][:STUDIES_SHOWN]


def study_for_user(
    *,
    user: User,
    pk: object,
    context: AuditContext | None = None,
    record: AuditAction | None = None,
) -> Study:
    """The study if the user holds VALIDATION_STUDY at all its agencies; else NotFound, or Forbidden
    when the user holds some role at one of its agencies (the one refusal rule of `access`)."""
    allowed = _allowed(user)
    try:
        study = Study.objects.select_related("rerun_of").get(pk=int(str(pk)))
    except (Study.DoesNotExist, ValueError):
        raise access.NotFound(
            NO_SUCH_STUDY, object_type=OBJECT_TYPE, object_id=pk, permission=PERMISSION
        ) from None
    if not _visible(study, allowed):
        own = next((a for a in study.agency_ids if access.is_member(user, agency=int(a))), None)
        if own is not None:
            raise access.Forbidden(
                access.NOT_ALLOWED,
                object_type=OBJECT_TYPE,
                object_id=study.pk,
                permission=PERMISSION,
                agency_id=int(own),
            )
        raise access.NotFound(
            NO_SUCH_STUDY, object_type=OBJECT_TYPE, object_id=study.pk, permission=PERMISSION
        )
    if record is not None:
        audit_record(
            actor=user,
            action=record,
            object_type=OBJECT_TYPE,
            object_id=study.pk,
            context=(context or AuditContext.system()).acting(user),
        )
    return study


def study_agencies(*, user: User) -> list[Agency]:
    """The agencies the user may study (for the form)."""
    return list(access.agencies_visible_to(user, PERMISSION))


def criterion_sources(*, user: User) -> list[str]:
    """The criterion sources recorded at the agencies the user may study."""
    found = access.scoped(CriterionRecord.objects.all(), user=user, permission=PERMISSION)
    return sorted(set(found.values_list("source", flat=True).distinct()))


def study_downloaded(
    *, study: Study, by: User, file_format: str, context: AuditContext | None = None
) -> None:
    """Each download of a study's result is an EXPORT event."""
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        object_type=OBJECT_TYPE,
        object_id=study.pk,
        context=(context or AuditContext.system()).acting(by),
        detail={"format": file_format, "snapshot_sha256": study.snapshot_sha256},
    )


# --- the de-identified input ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyInputs:
    """The canonical de-identified rows a study reads, and their SHA-256."""

    screenings: list[dict[str, Any]]
    criteria: list[dict[str, Any]]
    sha256: str


def study_inputs(parameters: StudyParameters, *, key: bytes | None = None) -> StudyInputs:
    """The de-identified rows of `parameters`: current final screenings (superseded versions and
    voided ones left out) of the instrument version in the period at the agencies, and the criterion
    records of the chosen source of those youth at the same agencies. Access is checked by the caller.
    """
    key = key or research_key()
    superseded = Screening.objects.filter(amends_id=OuterRef("pk"), status=ScreeningStatus.FINAL)
    screenings = (
        Screening.objects.filter(
            status=ScreeningStatus.FINAL,
            agency_id__in=list(parameters.agency_ids),
            instrument_id=parameters.instrument_id,
            instrument_version=parameters.instrument_version,
            screened_on__gte=parameters.period_start,
            screened_on__lte=parameters.period_end,
            total__isnull=False,
        )
        .exclude(Exists(superseded))
        .select_related("youth", "agency__county")
        .order_by("pk")
    )
    screening_rows = []
    youth_ids: set[int] = set()
    for screening in screenings.iterator(chunk_size=2000):
        row = deidentified_row(screening, key)
        row["screener"] = deidentify.pseudonymous_id(
            screening.screener_id, key=key, kind="screener"
        )
        screening_rows.append(row)
        youth_ids.add(screening.youth_id)
    records = CriterionRecord.objects.filter(
        source=parameters.criterion_source, agency_id__in=list(parameters.agency_ids)
    )
    if parameters.criterion_kind:
        records = records.filter(kind=parameters.criterion_kind)
    records = records.select_related("youth").order_by("pk")
    criterion_rows = []
    for record in records.iterator(chunk_size=2000):
        if record.youth_id not in youth_ids:
            continue
        pseudonym = record.youth.pseudonym
        offset = deidentify.date_offset_days(pseudonym, key=key)
        criterion_rows.append(
            {
                "youth": deidentify.pseudonymous_id(pseudonym, key=key, kind="youth"),
                "source": record.source,
                "finding": bool(record.finding),
                "recorded_on_shifted": deidentify.shift_date(record.recorded_on, offset),
            }
        )
    sha = deidentified.snapshot_sha256(
        [{"table": "screening", **r} for r in screening_rows]
        + [{"table": "criterion", **r} for r in criterion_rows]
    )
    return StudyInputs(screening_rows, criterion_rows, sha)


def compute(parameters: StudyParameters, inputs: StudyInputs, progress: Progress) -> dict[str, Any]:
    """The result JSON of a study: its parameters, snapshot and every figure (no identifier)."""
    definition = definition_of(parameters.instrument_id, parameters.instrument_version)
    sample = deidentified.sample_from_rows(
        inputs.screenings,
        inputs.criteria,
        definition=definition,
        window_days=parameters.window_days,
        agreement_window_days=parameters.agreement_window_days,
        reference_name=parameters.criterion_source,
    )
    if sample.reference.size == 0:
        raise StudyError(NO_DATA)
    study = run_study(
        sample, progress=lambda part, percent: progress(part, 30 + percent * 65 // 100)
    )
    return {
        "parameters": parameters.as_json(),
        "snapshot": {
            "sha256": inputs.sha256,
            "screenings": len(inputs.screenings),
            "criterion_records": len(inputs.criteria),
        },
        "levels": [{"code": level.code, "label": level.label} for level in definition.levels],
        "indicator_titles": {ind.id: ind.title for ind in definition.indicators},
        "small_group": SMALL_GROUP,
        "pairs": int(sample.pair_roles.size),
        "study": as_data(study),
    }


def study_execute(study_id: int, *, progress: Progress | None = None) -> str:
    """Run a queued study (the task body, and the CLI's): progress and outcome go on its row."""
    study = Study.objects.select_related("created_by", "rerun_of").get(pk=study_id)
    Study.objects.filter(pk=study.pk).update(
        status=StudyStatus.RUNNING, started_at=timezone.now(), progress=0, stage="reading"
    )

    def report(stage: str, percent: int) -> None:
        Study.objects.filter(pk=study.pk).update(stage=stage[:64], progress=min(percent, 99))
        if progress is not None:
            progress(stage, percent)

    parameters = StudyParameters.of(study)
    try:
        if not set(parameters.agency_ids) <= _allowed(study.created_by):
            raise StudyError(ACCESS_LOST)
        report("reading de-identified data", 5)
        inputs = study_inputs(parameters)
        report("hashing", 25)
        result = compute(parameters, inputs, report)
    except ServiceError as error:
        Study.objects.filter(pk=study.pk).update(
            status=StudyStatus.FAILED, error=error.message[:300], finished_at=timezone.now()
        )
        outcome: dict[str, Any] = {"status": StudyStatus.FAILED.value, "error": error.message}
    else:
        rows = len(inputs.screenings) + len(inputs.criteria)
        Study.objects.filter(pk=study.pk).update(
            status=StudyStatus.DONE,
            result=result,
            snapshot_sha256=inputs.sha256,
            rows=rows,
            progress=100,
            stage="done",
            finished_at=timezone.now(),
        )
        outcome = {"status": StudyStatus.DONE.value, "rows": rows, "snapshot_sha256": inputs.sha256}
        if study.rerun_of is not None:
            outcome["reproduces"] = inputs.sha256 == study.rerun_of.snapshot_sha256
    audit_record(
        actor=study.created_by,
        action=AuditAction.CHANGE,
        object_type=OBJECT_TYPE,
        object_id=study.pk,
        context=AuditContext.system(study.created_by),
        detail=outcome,
    )
    return str(outcome["status"])


def reproduces(study: Study) -> bool | None:
    """True when a finished re-run read exactly the data of the study it repeats, False when the data
    changed, None when it is not a re-run or either has no snapshot."""
    earlier = study.rerun_of
    if earlier is None or not study.snapshot_sha256 or not earlier.snapshot_sha256:
        return None
    return study.snapshot_sha256 == earlier.snapshot_sha256
