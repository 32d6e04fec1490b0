"""The configuration page: a configuration editor breaks a YAML file and sees the problem at
its line as they type, fixes it, saves a change with a message, reads its diff in the history
and rolls it back."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from config import DEFAULT_CONFIG_DIR
from tests.ui.conftest import LiveServer

TASKS = (DEFAULT_CONFIG_DIR / "tasks.yaml").read_text()
BROKEN = TASKS.replace("agent: screener", "agent: screenr", 1)
CHANGED = TASKS.replace("Write the job description", "Write the clear job description", 1)
BROKEN_LINE = next(n for n, line in enumerate(BROKEN.splitlines(), 1) if "screenr" in line)


def _editor(live_server: LiveServer) -> str:
    from server.auth import Role, create_user

    with live_server.app.state.ctx.writes() as session:
        _, token = create_user(session, name="Eddie Editor", role=Role.EDITOR)
        session.commit()
    return str(token)


def test_an_editor_fixes_saves_and_rolls_back(
    page: Any, live_server: LiveServer, screenshots: Path
) -> None:
    assert CHANGED != TASKS
    token = _editor(live_server)
    start = live_server.api("GET", "/config", token=token)["version"]

    # An editor has no projects: signing in lands on the configuration page.
    page.goto("/")
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Configuration", level=1)).to_be_visible()
    expect(page.get_by_text(f"Version {start} is in force")).to_be_visible()

    page.get_by_role("tab", name="tasks.yaml").click()
    editor = page.get_by_label("tasks.yaml", exact=True)
    expect(editor).to_have_value(TASKS)

    # Broken as they type: the problem is marked at its line, and listed with it.
    editor.fill(BROKEN)
    expect(page.get_by_role("status").filter(has_text="problem")).to_be_visible()
    marked = page.locator(f'.yaml-line[data-line="{BROKEN_LINE}"]')
    expect(marked).to_have_class(re.compile(r"\bhas-issue\b"))
    expect(marked).to_have_attribute("title", re.compile("unknown agent 'screenr'"))
    assert page.locator(".yaml-line.has-issue").all_inner_texts() == [str(BROKEN_LINE)]
    problems = page.get_by_role("list", name="Problems in tasks.yaml")
    first = problems.get_by_role("listitem").first
    expect(first).to_contain_text(f"Line {BROKEN_LINE}")
    expect(first).to_contain_text("screen_candidates_task.agent")
    expect(first).to_contain_text("unknown agent 'screenr'")
    first.get_by_role("button", name=f"Line {BROKEN_LINE}").click()  # to the line, selected
    expect(editor).to_be_focused()
    assert (
        page.evaluate(
            "() => { const a = document.activeElement;"
            " return a.value.slice(a.selectionStart, a.selectionEnd); }"
        )
        == BROKEN.splitlines()[BROKEN_LINE - 1]
    )
    page.screenshot(path=str(screenshots / "config-editor.png"), full_page=True)
    # A save now is refused by the server, and nothing changes.
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").filter(has_text="nothing was changed")).to_be_visible()
    assert live_server.api("GET", "/config", token=token)["version"] == start

    # Fixed: valid, no mark left.
    editor.fill(CHANGED)
    expect(page.get_by_role("status").filter(has_text="Valid")).to_be_visible()
    expect(page.locator(".yaml-line.has-issue")).to_have_count(0)

    page.get_by_label("Message (optional)").fill("clearer intake task")
    page.get_by_role("button", name="Save").click()
    saved = start + 1
    expect(page.get_by_text(f"Version {saved} is in force")).to_be_visible()
    versions = page.get_by_role("list", name="Configuration versions")
    newest = versions.locator(f'[data-version="{saved}"]')
    expect(newest).to_contain_text("clearer intake task")
    expect(newest).to_contain_text("in force")
    assert live_server.api("GET", "/config", token=token)["files"]["tasks.yaml"] == CHANGED

    # Its changes, as a diff.
    page.get_by_role("button", name=f"Changes in version {saved}").click()
    diff = page.get_by_label("Diff of tasks.yaml")
    expect(diff.locator(".diff-add")).to_contain_text("Write the clear job description")
    expect(diff.locator(".diff-del")).to_contain_text("Write the job description")
    page.screenshot(path=str(screenshots / "config-history.png"), full_page=True)

    # Rolled back: a new version with the old files, in force and in the editor.
    page.get_by_role("button", name=f"Roll back to version {start}").click()
    page.get_by_role("dialog").get_by_role("button", name="Roll back").click()
    restored = saved + 1
    expect(page.get_by_text(f"Version {restored} is in force")).to_be_visible()
    expect(versions.locator(f'[data-version="{restored}"]')).to_contain_text(
        f"restores version {start}"
    )
    expect(editor).to_have_value(TASKS)
    now = live_server.api("GET", "/config", token=token)
    assert now["version"] == restored and now["files"]["tasks.yaml"] == TASKS
    runtime = live_server.app.state.ctx.runtime.config
    assert runtime.tasks["draft_job_description_task"].description.startswith(
        "Write the job description"
    )
