"""Helpers shared by the page tests: a page's visible text, and a signed-in test client."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client


def page_text(response: Any) -> str:
    """The response's text as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client
