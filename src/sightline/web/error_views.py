"""Friendly refusal and failure pages inside the layout, each with a way back.

Django calls these for every 403, 404 and 500 (`handler403` ... in the root URLconf). What they say
comes only from the access layer's own messages ("No such youth.", "You do not have permission ..."):
a 404 for another agency's record is word for word the 404 for a missing one, and nothing else an
exception carries (a resolver's list of patterns, a traceback) ever reaches the page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext, gettext_noop

from sightline.tenancy.access import AccessRefused

NOT_FOUND_TEXT = gettext_noop("This page does not exist, or it is not yours to see.")
FORBIDDEN_TEXT = gettext_noop("Your role does not allow this here.")
SERVER_ERROR_TEXT = gettext_noop(
    "Something went wrong on our side. Nothing you entered was lost by reading this page."
)


def _said(exception: Exception | None, default: str) -> str:
    # Only the access layer's messages are written for people; anything else stays in the log.
    if isinstance(exception, AccessRefused) and exception.args:
        return str(exception.args[0])
    return default


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "web/errors/404.html",
        {"message": _said(exception, gettext(NOT_FOUND_TEXT))},
        status=404,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "web/errors/403.html",
        {"message": _said(exception, gettext(FORBIDDEN_TEXT))},
        status=403,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors, no database: whatever failed may fail again while rendering this.
    body = loader.get_template("web/errors/500.html").render(
        {"message": gettext(SERVER_ERROR_TEXT)}
    )
    return HttpResponse(body, status=500)
