"""Write a generated `Population` straight into the database with bulk inserts.

Generated data is not a user action, so no audit events are written. Rows go in by table in foreign-key
order inside one transaction: PostgreSQL through psycopg `COPY ... FROM STDIN`, SQLite through
`executemany`. Primary keys are assigned here (after the table's current largest id) so that foreign keys
can be mapped from the generator's 0-based ids without reading anything back; PostgreSQL sequences are
moved past them at the end. Write into a database that has no other writers while this runs.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model

from sightline import instruments
from sightline.privacy.blind_index import digests, identifier_digest, stored_tokens
from sightline.privacy.fields import encrypt_value
from sightline.privacy.keys import search_key, search_key_id
from sightline.screenings.models import FollowUpAction, Screening, ScreeningMode, ScreeningStatus
from sightline.synth.models import HiddenTruth
from sightline.tenancy.models import Agency, County, Membership, TrainingRecord, User
from sightline.validation.models import CriterionRecord
from sightline.youth.models import IntakeEpisode, Youth, YouthNameToken

Progress = Callable[[str, int, int], None]

BATCH = 20_000
TRAINER = "Synthetic population trainer"
# Generated rows happen at noon UTC on their day: a fixed time keeps two runs of one seed identical.
NOON = dt.time(12, 0, tzinfo=dt.UTC)


def write_population(population: Any, *, progress: Progress | None = None) -> dict[str, int]:
    """Write every table of `population`; returns the number of rows written per database table.

    Staff get an unusable password (the demo sets its own accounts' passwords afterwards). Screenings are
    pinned to the installed instrument version the generator named, with total, level and rated count
    recomputed by `instruments.score_many` from the ratings, so they equal what finalizing would store.
    """
    writer = _Writer(
        population.tables, seed=int(getattr(population.params, "seed", 0)), progress=progress
    )
    with transaction.atomic():
        writer.write_all()
    return writer.counts


def _dates(values: np.ndarray) -> list[dt.date | None]:
    days = values.astype("datetime64[D]")
    missing = np.isnat(days)
    plain = days.astype(object)
    return [None if gone else day for day, gone in zip(plain, missing, strict=True)]


def _at_noon(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, NOON)


def _codes(joined: str) -> list[str]:
    return [code for code in str(joined).split(";") if code]


class _Writer:
    def __init__(
        self, tables: dict[str, dict[str, np.ndarray]], *, seed: int, progress: Progress | None
    ) -> None:
        self.tables = tables
        self.progress = progress
        self.counts: dict[str, int] = {}
        # Pseudonyms and chains are UUIDs drawn from the seed, so one seed writes the same rows.
        self.uuids = np.random.default_rng([seed, 0x5EED])
        self.postgres = connection.vendor == "postgresql"
        self.pk_base: dict[type[Model], int] = {}

    # --- plumbing --------------------------------------------------------------------------------------

    def _base(self, model: type[Model]) -> int:
        if model not in self.pk_base:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # nosec B608  # the table name is the model's own db_table
                self.pk_base[model] = int(cursor.fetchone()[0])
        return self.pk_base[model]

    def pks(self, model: type[Model], ids: np.ndarray) -> np.ndarray:
        """Database primary keys for the generator's 0-based ids."""
        return ids.astype(np.int64) + (self._base(model) + 1)

    def _optional_pks(self, model: type[Model], ids: np.ndarray) -> list[int | None]:
        """Primary keys for 0-based ids where -1 means none (None)."""
        ids = np.asarray(ids, dtype=np.int64)
        pks = self.pks(model, np.maximum(ids, 0)).tolist()
        return [None if i < 0 else pk for i, pk in zip(ids.tolist(), pks, strict=True)]

    def new_uuids(self, n: int) -> list[uuid.UUID]:
        raw = self.uuids.bytes(16 * n)
        return [uuid.UUID(bytes=raw[i : i + 16], version=4) for i in range(0, 16 * n, 16)]

    def write(
        self, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], total: int
    ) -> None:
        table = model._meta.db_table
        done = 0
        if self.progress:
            self.progress(table, 0, total)
        for batch in _batches(rows, BATCH):
            if self.postgres:
                self._copy(table, columns, batch)
            else:
                self._insert(table, columns, batch)
            done += len(batch)
            if self.progress:
                self.progress(table, done, total)
        self.counts[table] = self.counts.get(table, 0) + done
        if self.postgres and "id" in columns and done:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608  # the table name is the model's own db_table
                    f"(SELECT MAX(id) FROM {table}))"
                )

    def _copy(self, table: str, columns: Sequence[str], batch: list[Sequence[Any]]) -> None:
        with connection.cursor() as cursor:
            raw = cursor.connection.cursor()
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)

    def _insert(self, table: str, columns: Sequence[str], batch: list[Sequence[Any]]) -> None:
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # nosec B608  # table and columns come from the models' _meta; rows are parameters
        adapt = connection.ops.adapt_datetimefield_value
        plain = [
            tuple(
                adapt(v)
                if isinstance(v, dt.datetime)
                else v.isoformat()
                if isinstance(v, dt.date)
                else v.hex
                if isinstance(v, uuid.UUID)
                else v
                for v in row
            )
            for row in batch
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, plain)

    # --- tables in foreign-key order -------------------------------------------------------------------

    def write_all(self) -> None:
        t = self.tables
        now = dt.datetime.now(dt.UTC)
        counties = t["counties"]
        self.write(
            County,
            ("id", "name", "state"),
            zip(
                self.pks(County, counties["id"]).tolist(),
                counties["name"].tolist(),
                counties["state"].tolist(),
                strict=True,
            ),
            len(counties["id"]),
        )
        agencies = t["agencies"]
        self.write(
            Agency,
            ("id", "name", "county_id", "type", "active"),
            (
                (pk, name, county, kind, True)
                for pk, name, county, kind in zip(
                    self.pks(Agency, agencies["id"]).tolist(),
                    agencies["name"].tolist(),
                    self.pks(County, agencies["county_id"]).tolist(),
                    agencies["type"].tolist(),
                    strict=True,
                )
            ),
            len(agencies["id"]),
        )
        self._staff(now)
        self._youth(now)
        self._intakes(now)
        self._screenings(now)
        self._followups(now)
        self._criterion()
        self._truth()

    def _staff(self, now: dt.datetime) -> None:
        staff = self.tables["staff"]
        n = len(staff["id"])
        user_pks = self.pks(User, staff["id"]).tolist()
        names = zip(
            user_pks,
            staff["username"].tolist(),
            staff["first_name"].tolist(),
            staff["last_name"].tolist(),
            strict=True,
        )
        self.write(
            User,
            (
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "is_staff",
                "is_active",
                "date_joined",
            ),
            (
                (pk, make_password(None), False, user, first, last, False, True, now)
                for pk, user, first, last in names
            ),
            n,
        )
        member_pks = self.pks(Membership, staff["id"]).tolist()
        self.write(
            Membership,
            ("id", "user_id", "agency_id", "role", "screener_role", "active", "created_at"),
            zip(
                member_pks,
                user_pks,
                self.pks(Agency, staff["agency_id"]).tolist(),
                staff["role"].tolist(),
                staff["screener_role"].tolist(),
                [True] * n,
                [now] * n,
                strict=True,
            ),
            n,
        )
        training = self.tables["training"]
        trainee = self.pks(User, training["staff_id"]).tolist()
        self.write(
            TrainingRecord,
            (
                "user_id",
                "instrument_id",
                "trained_on",
                "trainer",
                "expires_on",
                "recorded_by_id",
                "recorded_at",
            ),
            zip(
                trainee,
                training["instrument_id"].tolist(),
                _dates(training["trained_on"]),
                [TRAINER] * len(trainee),
                _dates(training["expires_on"]),
                trainee,
                [now] * len(trainee),
                strict=True,
            ),
            len(trainee),
        )
        # Youth and intakes are "created by" a staff member of their agency: the first one listed.
        first_staff: dict[int, int] = {}
        for agency, user in zip(staff["agency_id"].tolist(), user_pks, strict=True):
            first_staff.setdefault(agency, user)
        self.creator_of_agency = first_staff

    def _youth(self, now: dt.datetime) -> None:
        youth = self.tables["youth"]
        n = len(youth["id"])
        pks = self.pks(Youth, youth["id"]).tolist()
        agency_ids = youth["agency_id"].tolist()
        firsts = youth["first_name"].tolist()
        lasts = youth["last_name"].tolist()
        agency_pks = self.pks(Agency, youth["agency_id"]).tolist()
        pseudonyms = self.new_uuids(n)

        key, key_id = search_key(), search_key_id()

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(n):
                yield (
                    pks[i],
                    agency_pks[i],
                    pseudonyms[i],
                    encrypt_value(firsts[i], context="youth.youth.first_name"),
                    encrypt_value(lasts[i], context="youth.youth.last_name"),
                    encrypt_value([], context="youth.youth.aliases"),
                    dobs[i],
                    genders[i],
                    json.dumps(_codes(races[i])),
                    languages[i],
                    # Case numbers are row-bound: the loader chooses its ids (ADR 0011).
                    encrypt_value(cases[i], context="youth.youth.case_number", row=pks[i]),
                    identifier_digest(cases[i], key=key),
                    key_id,
                    bool(risk[i]),
                    self.creator_of_agency[agency_ids[i]],
                    now,
                    now,
                )

        dobs = _dates(youth["date_of_birth"])
        genders = youth["gender_identity"].tolist()
        races = youth["race_ethnicity"].tolist()
        languages = youth["preferred_language"].tolist()
        cases = youth["case_number"].tolist()
        risk = youth["high_risk"].tolist()
        self.write(
            Youth,
            (
                "id",
                "agency_id",
                "pseudonym",
                "first_name",
                "last_name",
                "aliases",
                "date_of_birth",
                "gender_identity",
                "race_ethnicity",
                "preferred_language",
                "case_number",
                "case_number_digest",
                "search_key_id",
                "high_risk",
                "created_by_id",
                "created_at",
                "updated_at",
            ),
            rows(),
            n,
        )
        cache: dict[str, set[str]] = {}

        def hashed(name: str) -> set[str]:
            if name not in cache:
                cache[name] = digests(stored_tokens(name), key=key)
            return cache[name]

        def tokens() -> Iterator[tuple[int, str]]:
            for pk, first, last in zip(pks, firsts, lasts, strict=True):
                for digest in sorted(hashed(first) | hashed(last)):
                    yield pk, digest

        self.write(YouthNameToken, ("youth_id", "digest"), tokens(), n * 2)

    def _intakes(self, now: dt.datetime) -> None:
        intakes = self.tables["intakes"]
        n = len(intakes["id"])
        agencies = intakes["agency_id"].tolist()
        # The caseworker (-1 in the generator: unassigned).
        staff_ids = np.asarray(intakes.get("assigned_to", np.full(n, -1)), dtype=np.int64)
        assigned = [
            None if s < 0 else pk
            for s, pk in zip(
                staff_ids.tolist(), self.pks(User, np.maximum(staff_ids, 0)).tolist(), strict=True
            )
        ]
        self.write(
            IntakeEpisode,
            (
                "id",
                "youth_id",
                "agency_id",
                "program",
                "intake_on",
                "exit_on",
                "assigned_to_id",
                "created_by_id",
                "created_at",
            ),
            zip(
                self.pks(IntakeEpisode, intakes["id"]).tolist(),
                self.pks(Youth, intakes["youth_id"]).tolist(),
                self.pks(Agency, intakes["agency_id"]).tolist(),
                intakes["program"].tolist(),
                _dates(intakes["intake_on"]),
                _dates(intakes["exit_on"]),
                assigned,
                [self.creator_of_agency[a] for a in agencies],
                [now] * n,
                strict=True,
            ),
            n,
        )

    def _screenings(self, now: dt.datetime) -> None:
        s = self.tables["screenings"]
        n = len(s["id"])
        ids = s["instrument_id"].astype(str)
        versions = s["instrument_version"].astype(str)
        ratings = np.asarray(s["ratings"])
        totals = np.zeros(n, dtype=np.int64)
        levels = np.empty(n, dtype=object)
        rated = np.zeros(n, dtype=np.int64)
        sha = np.empty(n, dtype=object)
        rating_json = np.empty(n, dtype=object)
        for instrument_id, version in sorted(
            set(zip(ids.tolist(), versions.tolist(), strict=True))
        ):
            definition = instruments.load(f"{instrument_id}@{version}")
            rows = np.flatnonzero((ids == instrument_id) & (versions == version))
            k = len(definition.indicators)
            part = ratings[rows, :k]
            result = instruments.score_many(
                definition, {ind.id: part[:, j] for j, ind in enumerate(definition.indicators)}
            )
            totals[rows] = result.total
            order = np.array([*result.level_order, ""], dtype=object)
            levels[rows] = order[result.level]  # -1 (no valid level) picks the trailing ""
            rated[rows] = result.rated
            sha[rows] = definition.sha256
            names = [ind.id for ind in definition.indicators]
            for row, codes in zip(rows.tolist(), part.tolist(), strict=True):
                rating_json[row] = json.dumps(
                    {
                        name: code
                        for name, code in zip(names, codes, strict=True)
                        if code != instruments.MISSING
                    }
                )
        finalized_mask = s["finalized"].astype(bool)
        unfinishable = finalized_mask & (
            (levels == "") | (s["sources"] == "") | (s["reason"] == "")
        )
        if unfinishable.any():
            raise ValueError(
                f"{int(unfinishable.sum())} finalized screenings could not have been finalized "
                f"(no concern level, information source or reason), e.g. id {int(s['id'][unfinishable][0])}"
            )
        finalized = finalized_mask.tolist()
        screened = _dates(s["screened_on"])
        finalized_on = _dates(s["finalized_on"]) if "finalized_on" in s else screened
        screeners = self.pks(User, s["screener_id"]).tolist()
        chains = self.new_uuids(n)
        sources = s["sources"].tolist()
        none = np.full(n, -1, dtype=np.int64)
        amends_of = np.asarray(s.get("amends", none), dtype=np.int64)
        # An amendment is a new version in its original's chain (originals come first in the table).
        for row in np.flatnonzero(amends_of >= 0).tolist():
            chains[row] = chains[int(amends_of[row])]
        amends = self._optional_pks(Screening, amends_of)
        rerates = self._optional_pks(Screening, s["double_screen_of"])
        voided = np.asarray(s.get("voided", np.zeros(n, dtype=bool)), dtype=bool).tolist()
        kinds = s["version_kind"].tolist() if "version_kind" in s else ["original"] * n
        amendment_reasons = [
            encrypt_value(str(text), context="screenings.screening.amendment_reason")
            if text
            else None
            for text in (s["amendment_reason"].tolist() if "amendment_reason" in s else [""] * n)
        ]

        def status(i: int) -> str:
            if finalized[i]:
                return ScreeningStatus.FINAL.value
            return ScreeningStatus.VOIDED.value if voided[i] else ScreeningStatus.DRAFT.value

        def rows_out() -> Iterator[tuple[Any, ...]]:
            for i in range(n):
                final = finalized[i]
                at = _at_noon(screened[i])
                done = _at_noon(finalized_on[i]) if final else None
                yield (
                    pks[i],
                    youth[i],
                    agencies[i],
                    ids[i],
                    versions[i],
                    sha[i],
                    status(i),
                    reasons[i],
                    reasons_other[i],
                    json.dumps(_codes(sources[i])),
                    screeners[i],
                    roles[i],
                    known[i],
                    ScreeningMode.FULL.value,
                    screened[i],
                    rating_json[i],
                    "{}",
                    int(totals[i]),
                    levels[i],
                    int(rated[i]),
                    0,
                    at,
                    done or at,
                    done,
                    screeners[i] if final else None,
                    chains[i],
                    amends[i],
                    kinds[i],
                    amendment_reasons[i],
                    rerates[i],
                )

        pks = self.pks(Screening, s["id"]).tolist()
        youth = self.pks(Youth, s["youth_id"]).tolist()
        agencies = self.pks(Agency, s["agency_id"]).tolist()
        reasons = s["reason"].tolist()
        # Encrypted like the product writes it: ciphertext, or NULL for no other reason.
        reasons_other = [
            encrypt_value(str(text), context="screenings.screening.reason_other") if text else None
            for text in (s["reason_other"].tolist() if "reason_other" in s else [""] * n)
        ]
        roles = s["screener_role"].tolist()
        known = s["known_for"].tolist()
        ids = ids.tolist()
        versions = versions.tolist()
        self.write(
            Screening,
            (
                "id",
                "youth_id",
                "agency_id",
                "instrument_id",
                "instrument_version",
                "instrument_sha256",
                "status",
                "reason",
                "reason_other",
                "information_sources",
                "screener_id",
                "screener_role",
                "known_for",
                "mode",
                "screened_on",
                "indicator_ratings",
                "statement_answers",
                "total",
                "level",
                "rated_count",
                "lock_version",
                "created_at",
                "updated_at",
                "finalized_at",
                "finalized_by_id",
                "chain",
                "amends_id",
                "version_kind",
                "amendment_reason",
                "rerates_id",
            ),
            rows_out(),
            n,
        )
        self.screening_agency = dict(zip(pks, agencies, strict=True))

    def _followups(self, now: dt.datetime) -> None:
        f = self.tables["followups"]
        n = len(f["screening_id"])
        screenings = self.pks(Screening, f["screening_id"]).tolist()
        owners = self.pks(User, f["owner_id"]).tolist()
        outcomes = [
            encrypt_value(str(o), context="screenings.followupaction.outcome") if o else None
            for o in f["outcome"].tolist()
        ]
        self.write(
            FollowUpAction,
            (
                "screening_id",
                "agency_id",
                "kind",
                "owner_id",
                "due_on",
                "completed_on",
                "outcome",
                "created_by_id",
                "created_at",
            ),
            zip(
                screenings,
                [self.screening_agency[pk] for pk in screenings],
                f["kind"].tolist(),
                owners,
                _dates(f["due_on"]),
                _dates(f["completed_on"]),
                outcomes,
                owners,
                [now] * n,
                strict=True,
            ),
            n,
        )

    def _criterion(self) -> None:
        c = self.tables["criterion"]
        youth_agency = self.pks(Agency, self.tables["youth"]["agency_id"])
        self.write(
            CriterionRecord,
            ("youth_id", "agency_id", "source", "kind", "finding", "recorded_on"),
            zip(
                self.pks(Youth, c["youth_id"]).tolist(),
                youth_agency[c["youth_id"]].tolist(),
                c["source"].tolist(),
                c["kind"].tolist(),
                c["finding"].astype(bool).tolist(),
                _dates(c["recorded_on"]),
                strict=True,
            ),
            len(c["youth_id"]),
        )

    def _truth(self) -> None:
        h = self.tables["truth"]
        person = h.get("person_id", h["youth_id"])
        self.write(
            HiddenTruth,
            ("youth_id", "person", "exploited", "severity"),
            zip(
                self.pks(Youth, h["youth_id"]).tolist(),
                np.asarray(person, dtype=np.int64).tolist(),
                h["exploited"].astype(bool).tolist(),
                h["severity"].astype(float).tolist(),
                strict=True,
            ),
            len(h["youth_id"]),
        )


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
