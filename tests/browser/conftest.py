"""A real Chromium driven through Playwright's sync API against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM calls from the
# test (SynchronousOnlyOperation) although nothing here is async.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshot(page: Any) -> Any:
    """`screenshot("03-draft")` saves the whole page to artifacts/screenshots/03-draft.png;
    `full_page=False` saves what is in view, `of=locator` only that element (long forms are too tall
    to read whole)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, full_page: bool = True, of: Any = None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # A click that submits a form starts a navigation; capturing mid-navigation fails in Chromium.
        page.wait_for_load_state("load")
        for attempt in range(3):
            try:
                if of is not None:
                    of.screenshot(path=str(path))
                else:
                    page.screenshot(path=str(path), full_page=full_page)
                break
            except Exception:
                if attempt == 2:
                    raise
                page.wait_for_timeout(250)
                page.wait_for_load_state("load")
        return path

    return take
