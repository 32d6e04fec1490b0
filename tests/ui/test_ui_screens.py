"""The web UI's smaller promises: sign-in errors, uploads with per-file results, untrusted
text shown as text, editing and deleting memories, keyboard use, and the security headers."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

from playwright.sync_api import expect

from server.routes.ui import CONTENT_SECURITY_POLICY
from tests.ui.conftest import LiveServer, sign_in


def test_a_bad_token_is_refused_with_a_message(page: Any, live_server: LiveServer) -> None:
    page.goto("/")
    page.get_by_label("Access token").fill("hc_not-a-real-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not accepted")
    expect(page.get_by_role("heading", name="Sign in to hirecrew")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('hirecrew.token')") is None


def test_a_revoked_token_sends_back_to_sign_in(page: Any, live_server: LiveServer) -> None:
    token = live_server.new_recruiter("Revoked Rita")
    sign_in(page, live_server, token)
    page.evaluate("sessionStorage.setItem('hirecrew.token', 'hc_revoked')")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Candidates").click()
    expect(page.get_by_role("heading", name="Sign in to hirecrew")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("signed out")
    # Signing in again goes back to where the recruiter was.
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Candidates", level=1)).to_be_visible()


def test_uploading_several_files_shows_each_result(page: Any, live_server: LiveServer) -> None:
    sign_in(page, live_server, live_server.new_recruiter("Uploading Uma"))
    page.goto("/#/candidates")
    expect(page.get_by_text("Your pool is empty")).to_be_visible()
    page.get_by_label("Or choose files").set_input_files(
        [
            {"name": "linus.txt", "mimeType": "text/plain", "buffer": resume("Linus Torvald")},
            {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""},
        ]
    )
    results = page.get_by_role("list", name="Upload results")
    expect(results.locator(".upload-result.ok", has_text="linus.txt")).to_contain_text("imported 1")
    expect(results.locator(".upload-result.refused", has_text="empty.txt")).to_contain_text(
        "empty file"
    )
    expect(page.get_by_role("link", name="Linus Torvald")).to_be_visible()
    # Search, then open the candidate.
    page.get_by_label("Search candidates").fill("kubernetes")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="1 candidate")).to_be_visible()
    page.get_by_label("Search candidates").fill("cobol")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No match")).to_be_visible()


def test_candidate_text_is_shown_as_text(page: Any, live_server: LiveServer) -> None:
    sign_in(page, live_server, live_server.new_recruiter("Careful Carla"))
    payload = "<img src=x onerror=alert(1)>"
    page.goto("/#/candidates")
    page.get_by_label("Or choose files").set_input_files(
        [
            {
                "name": "mallory.txt",
                "mimeType": "text/plain",
                "buffer": resume("Mallory Evans", payload),
            }
        ]
    )
    page.get_by_role("link", name="Mallory Evans").click()
    expect(page.get_by_role("heading", name="Mallory Evans", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Resume")).to_contain_text(payload)
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0


def test_memories_can_be_edited_and_deleted(page: Any, live_server: LiveServer) -> None:
    token = live_server.new_recruiter("Memory Mia")
    written = live_server.api(
        "POST", "/memories", {"text": "Always mention the four-day week."}, token=token
    )
    text = written[0]["text"]
    sign_in(page, live_server, token)
    page.get_by_role("link", name="What hirecrew learned about me").click()
    memory = page.locator(".memory-text", has_text=text)
    expect(memory).to_be_visible()

    page.get_by_role("button", name=f"Edit memory: {text}").click()
    page.get_by_label("Memory text").fill("Always mention the four-day week and remote Fridays.")
    page.get_by_role("button", name="Save").click()
    edited = page.locator(".memory-text", has_text="remote Fridays")
    expect(edited).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Memory updated.")).to_be_attached()

    delete = page.get_by_role("button", name=re.compile(r"^Delete memory: .*remote Fridays"))
    delete.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete this memory?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(edited).to_be_visible()
    delete.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Nothing learned yet")).to_be_visible()
    assert live_server.api("GET", "/memories", token=token) == []


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.textContent.trim()"))


def tab_to(page: Any, text: str, limit: int = 40) -> None:
    """Press Tab until the focused element's text is ``text``; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == text:
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{text!r} has no visible focus"
            return
    raise AssertionError(
        f"Tab never reached {text!r} (last: {focused(page)!r}); page: {page.inner_text('main')}"
    )


def test_the_main_actions_work_from_the_keyboard(page: Any, live_server: LiveServer) -> None:
    token = live_server.new_recruiter("Keyboard Kim")
    page.goto("/")
    # The token field has the focus: type, press Enter.
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    expect(page.get_by_text("No projects yet")).to_be_visible()

    # Create a project with the keyboard only (its notes stay the template: intake fails).
    tab_to(page, "Create project")
    page.keyboard.press("Shift+Tab")  # the intake notes (template prefilled)
    page.keyboard.press("Shift+Tab")  # company
    page.keyboard.press("Shift+Tab")  # title
    page.keyboard.type("Keyboard Project")
    tab_to(page, "Create project")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard Project", level=1)).to_be_visible()

    # Reach the pipeline's main action, and the navigation.
    tab_to(page, "Start intake")
    tab_to(page, "Audit timeline")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Audit timeline", level=1)).to_be_visible()
    # From the top of the page: the skip link first, then the navigation.
    page.reload()
    expect(page.get_by_role("heading", name="Audit timeline", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to content"
    tab_to(page, "What hirecrew learned about me")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What hirecrew learned about me")).to_be_visible()

    # A confirmation dialog traps the decision: Escape cancels it.
    page.goto("/#/projects")
    page.get_by_role("link", name="Keyboard Project").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard Project", level=1)).to_be_visible()
    tab_to(page, "Start intake")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Intake review", level=1)).to_be_visible(timeout=90_000)
    tab_to(page, "Stop")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    # Nothing was stopped, and the focus is back on the button that opened the dialog.
    assert focused(page) == "Stop"
    assert live_server.api("GET", "/projects", token=token)[0]["status"] == "active"


def test_the_ui_is_served_with_a_strict_policy(live_server: LiveServer) -> None:
    with urllib.request.urlopen(f"{live_server.base_url}/", timeout=10) as answer:
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Content-Type"].startswith("text/html")
        assert b'<script type="module" src="/ui/app.js">' in answer.read()
    with urllib.request.urlopen(f"{live_server.base_url}/ui/app.js", timeout=10) as answer:
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "javascript" in answer.headers["Content-Type"]
    # The API's answers are left as they were.
    with urllib.request.urlopen(f"{live_server.base_url}/api/healthz", timeout=10) as answer:
        assert "Content-Security-Policy" not in answer.headers
    with urllib.request.urlopen(f"{live_server.base_url}/openapi.json", timeout=10) as answer:
        paths = answer.read().decode()
        assert '"/ui' not in paths and '"/":' not in paths


def resume(name: str, extra: str = "") -> bytes:
    return (
        f"{name}\n{name.split()[0].lower()}@example.test\nLisbon, Portugal\n"
        "Backend Engineer | Python, Kubernetes\n\n"
        "Experience\nBuilt Python services on Kubernetes for seven years.\n"
        f"{extra}\n"
    ).encode()


def test_live_progress_reads_the_event_stream(page: Any, live_server: LiveServer) -> None:
    from domain.sample_data import SAMPLE_INTAKE_NOTES

    token = live_server.new_recruiter("Streaming Sam")
    project = live_server.api(
        "POST", "/projects", {"title": "Streamed", "intake_notes": SAMPLE_INTAKE_NOTES}, token=token
    )
    run = live_server.api("POST", f"/projects/{project['id']}/runs", {"stage": "intake"}, token)
    sign_in(page, live_server, token)
    # The UI's own SSE reader (fetch + a stream, with the token), on the real stream.
    frames = page.evaluate(
        """async (runId) => {
            const { followEvents } = await import("/ui/api.js");
            const seen = [];
            await followEvents(runId, (f) => seen.push([f.event, f.id, f.data]));
            return seen;
        }""",
        run["run_id"],
    )
    kinds = [event for event, _, _ in frames]
    assert kinds[0] == "stage_started" and kinds[-1] == "end"
    assert frames[-1][2]["status"] == "awaiting_review"
    tools = [
        data["payload"].get("tool_name") for event, _, data in frames if event == "crewai_event"
    ]
    assert any(tools), "no tool call in the stream"
    # A frame split over lines, with a comment and CRLF, parses like the server's.
    frame = page.evaluate(
        """async () => (await import("/ui/api.js")).parseFrame(
            ": keep-alive\\nid: 7\\nevent: stage_started\\ndata: {\\"a\\":\\ndata: 1}")"""
    )
    assert frame == {"event": "stage_started", "id": "7", "data": {"a": 1}}
    # Once the stream has ended, the run page shows the review.
    page.goto(f"/#/runs/{run['run_id']}")
    expect(page.get_by_role("heading", name="Intake review", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Confirm", exact=True)).to_be_visible()
