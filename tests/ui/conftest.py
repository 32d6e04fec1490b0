"""The web UI's end-to-end fixtures: the real app (uvicorn, in a thread) on a fresh data
directory with the demo recruiter, and Debian's Chromium driven by Playwright.

No browser is ever downloaded: the tests use /usr/bin/chromium, and fail (not skip) without it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server.api_support import api_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS_ENV = "HIRECREW_UPDATE_SCREENSHOTS"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class LiveServer:
    base_url: str
    token: str
    app: Any

    def new_recruiter(self, name: str) -> str:
        """A recruiter of their own (their own pool and memories); returns their token."""
        from server.auth import Role, create_user

        with self.app.state.ctx.writes() as session:
            _, token = create_user(session, name=name, role=Role.RECRUITER)
            session.commit()
        return str(token)

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """Call the API directly (test set-up only; the scenarios go through the UI)."""
        import json

        request = urllib.request.Request(
            f"{self.base_url}/api{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {token or self.token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(settings: Any, name: str) -> Iterator[LiveServer]:
    """The app on ``settings``, with the demo recruiter seeded, served by uvicorn in a thread
    on a free loopback port until the block ends."""
    import uvicorn

    from server.admin import seed_demo
    from server.app import create_app

    token = seed_demo(settings)
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/api/healthz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"the hirecrew app ({name}) did not start for the UI tests")
        time.sleep(0.1)
    try:
        yield LiveServer(base_url=base_url, token=token, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serving(api_settings(tmp_path_factory.mktemp("ui-data")), "hirecrew-ui-server") as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the UI tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
            "they never download a browser"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.base_url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The strict Content-Security-Policy must never have to block anything the UI does.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    # Any alert() would mean injected script ran: record it and dismiss it.
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.errors = errors
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"the page raised: {errors}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: docs/screenshots with HIRECREW_UPDATE_SCREENSHOTS=1."""
    if os.environ.get(SCREENSHOTS_ENV) == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


def sign_in(page: Any, server: LiveServer, token: str | None = None) -> None:
    """Sign in through the form and wait for the projects page."""
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_label("Access token").fill(token or server.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
