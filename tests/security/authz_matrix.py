"""The authorization matrix: every page and every API operation x role x own/other agency.

One row per page URL name (`web:...`) and per API operation (`METHOD /api/path`), read by
`tests/security/test_authz_matrix.py`, which walks the whole table against the running app and
fails when a URL pattern or an API operation has no row here.

Each row is `(kind, method, own, other)`:

- `kind`: which record the ids in the URL name (`youth`, `intake`, `final` screening, `draft`,
  `complete_draft`, `followup`, `agency`, `membership` (a person of the agency), `study` (a
  finished validation study of the agency), or None for a page without ids);
- `method`: how the page is walked (`get`, or `post` with no data for POST-only pages);
- `own`: the outcome for each role in `ROLES` order, on the records of the person's own agency (A);
- `other`: the same on agency B's records (None: the page names no record, so it is the same call).

Outcomes: `ok` (2xx or 3xx), `login` (sent to sign in: 302 for pages, 401 for the API), or a status:
`403` a forbidden action at one's own agency, `404` a foreign or missing record (the refusal rule of
ADR 0004), or a service's own answer after the door (`400` an empty form, `409`/`422` refused input).
"""

from __future__ import annotations

# Every role of `tenancy.choices.Role`, plus a visitor who is not signed in.
ROLES = (
    "screener",
    "supervisor",
    "agency_admin",
    "analyst",
    "researcher",
    "system_admin",
    "anonymous",
)

Row = tuple[str | None, str, str, str | None]

PAGES: dict[str, Row] = {
    "web:home": (None, "get", "ok ok ok ok ok ok login", None),
    "web:login": (None, "get", "ok ok ok ok ok ok ok", None),
    "web:logout": (None, "post", "login login login login login login login", None),
    "web:instrument": (None, "get", "ok ok ok ok ok ok login", None),
    "web:instrument-score": (None, "post", "ok ok ok ok ok ok login", None),
    # Open to every signed-in person, but it lists only youth of agencies where they hold YOUTH_VIEW:
    # the walk checks that no youth's name or case number reaches the roles without it.
    "web:youth-list": (None, "get", "ok ok ok ok ok ok login", None),
    "web:youth-create": (None, "get", "ok ok 403 403 403 403 login", None),
    "web:youth-detail": (
        "youth",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:youth-edit": (
        "youth",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:intake-open": (
        "youth",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:intake-close": (
        "intake",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:intake-assign": (
        "intake",
        "post",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:staff": (None, "get", "403 403 ok 403 403 403 login", None),
    "web:screening-start": (
        "youth",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:my-screenings": (None, "get", "ok ok ok ok ok ok login", None),
    "web:agency-screenings": (None, "get", "403 ok 403 403 403 403 login", None),
    "web:agency-screenings-export": (None, "get", "403 ok 403 403 403 403 login", None),
    "web:screening-detail": (
        "final",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:screening-edit": (
        "draft",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:screening-preview": (
        "draft",
        "post",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:screening-autosave": (
        "draft",
        "post",
        "400 400 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:screening-discard": (
        "draft",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:screening-amend": (
        "final",
        "post",
        "400 400 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:screening-summary": (
        "final",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:followup-create": (
        "final",
        "post",
        "400 400 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:followup-complete": (
        "followup",
        "post",
        "400 400 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:schedule-mine": (None, "get", "ok ok 403 403 403 403 login", None),
    "web:schedule-agency-index": (None, "get", "403 ok 403 403 403 403 login", None),
    "web:schedule-agency": (
        "agency",
        "get",
        "403 ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:schedule-agency-export": (
        "agency",
        "get",
        "403 ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-followups": (
        "agency",
        "get",
        "403 ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:schedule-agency-screeners": (
        "agency",
        "get",
        "403 ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-followups-export": (
        "agency",
        "get",
        "403 ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:schedule-coverage": (None, "get", "403 ok ok ok 403 403 login", None),
    "web:schedule-coverage-export": (None, "get", "403 ok ok ok 403 403 login", None),
    "web:agency-policy": (
        "agency",
        "get",
        "403 ok ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:awaiting-review": (None, "get", "403 ok 403 403 403 403 login", None),
    "web:screening-review": (
        "final",
        "post",
        "403 400 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:screening-correct": (
        "final",
        "post",
        "400 400 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-import": (
        "agency",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-import-run": (
        "agency",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-import-problems": (
        "agency",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-export": (
        "agency",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:api-tokens": (None, "get", "ok ok ok ok ok ok login", None),
    # Revoking names a token by its prefix: another's is silently ignored (the attack test shows it
    # changes nothing), so the answer is the same redirect to the list.
    "web:api-token-revoke": ("token", "post", "ok ok ok ok ok ok login", "ok ok ok ok ok ok login"),
    "web:account": (None, "get", "ok ok ok ok ok ok login", None),
    # Setting one's own language (POST only): an empty form is refused with a message on the
    # account page it redirects to, for every signed-in person.
    "web:account-language": (None, "post", "ok ok ok ok ok ok login", None),
    "web:password-change": (None, "get", "ok ok ok ok ok ok login", None),
    "web:password-reset": (None, "get", "ok ok ok ok ok ok ok", None),
    "web:password-reset-done": (None, "get", "ok ok ok ok ok ok ok", None),
    "web:password-reset-confirm": (None, "get", "ok ok ok ok ok ok ok", None),
    "web:mfa-verify": (None, "get", "ok ok ok ok ok ok login", None),
    "web:mfa-setup": (None, "get", "ok ok ok ok ok ok login", None),
    "web:mfa-recovery-codes": (None, "get", "ok ok ok ok ok ok login", None),
    "web:logout-everywhere": (None, "post", "login login login login login login login", None),
    # The idle-warning script's ping: 401 (not a redirect) when the session has ended.
    "web:session-keepalive": (None, "get", "ok ok ok ok ok ok 401", None),
    "web:audit-log": (None, "get", "403 403 ok 403 403 ok login", None),
    "web:audit-export": (None, "get", "403 403 ok 403 403 ok login", None),
    # Only system admins may ask for emergency access (tests/security/test_break_glass.py).
    "web:break-glass": (None, "get", "403 403 403 403 403 ok login", None),
    "web:reports": (None, "get", "403 ok ok ok 403 403 login", None),
    "web:report-agency": (
        "agency",
        "get",
        "403 ok ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    # Without a chosen area (or with one outside the person's reach) the area report is "no such area".
    "web:report-area": (None, "get", "403 404 404 404 403 403 login", None),
    "web:report-export": (None, "post", "403 404 404 404 403 403 login", None),
    "web:report-exports": (None, "get", "403 ok ok ok 403 403 login", None),
    # Only the person who asked for an export may fetch it (the own side's export is the supervisor's).
    "web:report-export-download": (
        "export",
        "get",
        "403 ok 404 404 403 403 login",
        "403 404 404 404 403 403 login",
    ),
    # Agency administration (STAFF_MANAGE, RECORD_DELETE: agency admins only), through the agency door.
    "web:agency-people": (
        "agency",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-people-invite": (
        "agency",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    # The URL names the agency and one of its memberships (the side's screener).
    "web:agency-person": (
        "membership",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:agency-retention": (
        "agency",
        "get",
        "403 403 ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    # Installing an instrument definition (INSTRUMENT_INSTALL): system admins only.
    "web:instrument-upload": (None, "get", "403 403 403 403 403 ok login", None),
    # The invited person's set-password page, open to anyone: a link that is not valid (as the
    # walk's is) shows the "link is not valid" page and changes nothing.
    "web:invitation-accept": (None, "get", "ok ok ok ok ok ok ok", None),
    # The validation studio (VALIDATION_STUDY): researchers only; a study is read through
    # `study_for_user` (403 at one's own agency without the role, 404 for another agency's).
    "web:studio": (None, "get", "403 403 403 403 ok 403 login", None),
    "web:study-detail": (
        "study",
        "get",
        "403 403 403 403 ok 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:study-rerun": (
        "study",
        "post",
        "403 403 403 403 ok 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:study-json": (
        "study",
        "get",
        "403 403 403 403 ok 403 login",
        "404 404 404 404 404 404 login",
    ),
    "web:study-pdf": (
        "study",
        "get",
        "403 403 403 403 ok 403 login",
        "404 404 404 404 404 404 login",
    ),
}

API: dict[str, Row] = {
    "GET /api/instruments": (None, "get", "ok ok ok ok ok ok login", None),
    "GET /api/instruments/{instrument_id}/versions/{version}": (
        None,
        "get",
        "ok ok ok ok ok ok login",
        None,
    ),
    "POST /api/score": (None, "post", "ok ok ok ok ok ok login", None),
    "POST /api/youth": (None, "post", "ok ok 403 403 403 403 login", None),
    "POST /api/youth/search": (None, "post", "ok ok ok ok ok ok login", None),
    "GET /api/youth/{youth_id}": (
        "youth",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "PATCH /api/youth/{youth_id}": (
        "youth",
        "patch",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/youth/{youth_id}/intakes": (
        "youth",
        "post",
        "422 422 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "GET /api/intakes/{intake_id}": (
        "intake",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/intakes/{intake_id}/close": (
        "intake",
        "post",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/screenings": (None, "post", "ok ok 403 403 403 403 login", None),
    "GET /api/screenings": (None, "get", "ok ok ok ok ok ok login", None),
    "GET /api/screenings/{screening_id}": (
        "final",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "PATCH /api/screenings/{screening_id}": (
        "draft",
        "patch",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/screenings/{screening_id}/finalize": (
        "complete_draft",
        "post",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/screenings/{screening_id}/amend": (
        "final",
        "post",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/screenings/{screening_id}/review": (
        "final",
        "post",
        "403 ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "GET /api/followups": (None, "get", "ok ok ok ok ok ok login", None),
    "GET /api/followups/{followup_id}": (
        "followup",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/screenings/{screening_id}/followups": (
        "final",
        "post",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/followups/{followup_id}/complete": (
        "followup",
        "post",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "GET /api/intakes/{intake_id}/schedule": (
        "intake",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "GET /api/worklist": (None, "get", "ok ok ok ok ok ok login", None),
    "GET /api/agencies/{agency_id}/worklist": (
        "agency",
        "get",
        "403 ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "GET /api/requested": (None, "get", "ok ok ok ok ok ok login", None),
    "GET /api/agencies/{agency_id}/report": (
        "agency",
        "get",
        "403 ok ok 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    # As the page: without a chosen area (or one outside the person's reach) "no such report".
    "GET /api/reports/area": (None, "get", "403 404 404 404 403 403 login", None),
    "POST /api/events": (None, "post", "ok ok 403 403 403 403 login", None),
    "GET /api/fhir/Questionnaire/{instrument_id}/{version}": (
        None,
        "get",
        "ok ok ok ok ok ok login",
        None,
    ),
    "GET /api/fhir/QuestionnaireResponse/{screening_id}": (
        "final",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "GET /api/fhir/youth/{youth_id}/Bundle": (
        "youth",
        "get",
        "ok ok 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
    "POST /api/fhir/youth/{youth_id}/QuestionnaireResponse": (
        "youth",
        "post",
        "422 422 403 403 403 403 login",
        "404 404 404 404 404 404 login",
    ),
}
