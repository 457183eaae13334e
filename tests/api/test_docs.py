"""The OpenAPI 3.1 schema and the interactive docs, which work with no network: every asset the
docs page loads is served by Sightline itself."""

from __future__ import annotations

import re

from django.test import Client


def test_the_schema_is_openapi_3_1_and_describes_every_endpoint(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    paths = set(schema["paths"])
    assert {
        "/api/instruments",
        "/api/screenings/{screening_id}",
        "/api/screenings/{screening_id}/finalize",
        "/api/events",
        "/api/youth/search",
        "/api/fhir/youth/{youth_id}/Bundle",
    } <= paths
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}


def test_the_docs_page_loads_nothing_from_another_host(db: None) -> None:
    client = Client()
    page = client.get("/api/docs")

    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "a CDN URL in the docs page"
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()  # a static file is streamed: close it, or its file stays open
