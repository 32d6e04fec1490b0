"""The recruiter's whole journey through the web UI, as a person would do it: sign in, create a
project, run and review every stage (editing the job description, voting a candidate down),
see what hirecrew learned, confirm outreach through its explicit dialog, read the audit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from domain.sample_data import SAMPLE_INTAKE_NOTES
from tests.ui.conftest import LiveServer, sign_in

STAGE_TIMEOUT = 90_000  # ms: a stage runs in seconds offline; a slow CI machine gets slack


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"))


def wait_for_review(page: Any, stage: str, folder: Path | None = None) -> None:
    """Follow the stage's live progress (screenshot it if it is still on screen), then wait
    for its review page and its Confirm button."""
    progress = page.get_by_role("heading", name=re.compile(f"The {stage} crew is working"))
    if folder is not None:
        try:
            progress.wait_for(timeout=5_000)
            shot(page, folder, "live-progress")
        except Exception:  # the stage finished before the page drew its progress
            pass
    expect(page.get_by_role("heading", name=f"{stage.capitalize()} review", level=1)).to_be_visible(
        timeout=STAGE_TIMEOUT
    )
    expect(page.get_by_role("button", name="Confirm", exact=True)).to_be_visible(
        timeout=STAGE_TIMEOUT
    )


def confirm_in_dialog(page: Any, button: str = "Confirm") -> str:
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    text = dialog.inner_text()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_be_hidden()
    return str(text)


def test_recruiter_journey(page: Any, live_server: LiveServer, screenshots: Path) -> None:
    sign_in(page, live_server)

    # Create a project.
    page.get_by_label("Title").fill("Payments Backend Engineer")
    page.get_by_label("Company (optional)").fill("Acme Payments")
    page.get_by_label("Intake notes").fill(SAMPLE_INTAKE_NOTES)
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Payments Backend Engineer", level=1)).to_be_visible()
    expect(page.get_by_text("No candidates here yet")).to_be_visible()

    # Intake: run it, edit the job description's title inline, confirm the edit.
    page.get_by_role("button", name="Start intake").click()
    wait_for_review(page, "intake", screenshots)
    expect(page.get_by_role("heading", name="Responsibilities")).to_be_visible()
    shot(page, screenshots, "jd-review")
    page.get_by_role("button", name="Edit", exact=True).click()
    title = page.get_by_label("Title", exact=True)
    title.fill("Senior Backend Engineer, Payments")
    page.get_by_role("button", name="Save edits and confirm").click()
    confirm_in_dialog(page, "Save and confirm")

    # Sourcing: the plan, the pool insights and the candidates; confirm.
    wait_for_review(page, "sourcing")
    expect(page.get_by_role("heading", name="Search plan")).to_be_visible()
    expect(page.get_by_role("heading", name="Pool insights")).to_be_visible()
    shot(page, screenshots, "sourcing-review")
    page.get_by_role("button", name="Confirm", exact=True).click()
    assert "screening stage starts" in confirm_in_dialog(page)

    # Screening: the shortlist with evidence; one candidate gets a thumbs-down with a reason.
    wait_for_review(page, "screening")
    expect(page.locator("blockquote.evidence mark").first).to_be_visible()
    shot(page, screenshots, "shortlist-review")
    thumbs_down = page.get_by_role("button", name=re.compile(r"^Thumbs down")).first
    thumbs_down.click()
    expect(thumbs_down).to_have_attribute("aria-pressed", "true")
    page.get_by_label(re.compile(r"^Reason for your vote on")).first.fill(
        "no Kubernetes experience"
    )
    page.get_by_role("button", name="Confirm", exact=True).click()
    assert "1 vote will be remembered" in confirm_in_dialog(page)

    # Outreach is running: meanwhile, the vote's reason has become a memory.
    expect(page.get_by_role("heading", name=re.compile(r"^Outreach"), level=1)).to_be_visible(
        timeout=STAGE_TIMEOUT
    )
    outreach_url = page.url
    page.get_by_role("link", name="What hirecrew learned about me").click()
    expect(page.get_by_role("heading", name="What hirecrew learned about me")).to_be_visible()
    expect(page.locator(".memory-text", has_text="Kubernetes").first).to_be_visible()
    shot(page, screenshots, "memories")

    # Outreach: confirming asks, in a dialog, what exactly will be approved.
    page.goto(outreach_url)
    wait_for_review(page, "outreach")
    expect(page.get_by_role("heading", name=re.compile(r"^Messages \(\d+\)"))).to_be_visible()
    # The memory the vote taught is among those that shaped this stage, linked to its page.
    memories = page.get_by_role("region", name="Memories that shaped this")
    expect(memories.get_by_role("link", name=re.compile("kubernetes", re.I))).to_be_visible()
    shot(page, screenshots, "outreach-review")
    page.get_by_role("button", name="Confirm", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(
        re.compile(r"This will approve \d+ messages and \d+ interview invitations — confirm\?")
    )
    # Cancel first: nothing is sent.
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Confirm", exact=True)).to_be_visible()
    page.get_by_role("button", name="Confirm", exact=True).click()
    confirm_in_dialog(page, "Approve and send")
    expect(page.get_by_text(re.compile(r"Decided: confirm"))).to_be_visible(timeout=STAGE_TIMEOUT)

    # The project: every stage confirmed, candidates contacted.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Payments Backend Engineer"
    ).click()
    expect(page.get_by_role("heading", name="Payments Backend Engineer", level=1)).to_be_visible()
    expect(page.get_by_text("nothing: every stage is confirmed")).to_be_visible(
        timeout=STAGE_TIMEOUT
    )
    shot(page, screenshots, "project-pipeline")

    # The audit timeline: agents' steps and the recruiter's decisions.
    page.get_by_role("link", name="Audit timeline").click()
    expect(page.get_by_role("heading", name="Audit timeline", level=1)).to_be_visible()
    humans = page.locator(".tl-human")
    expect(humans.filter(has_text="Edited and confirmed")).to_have_count(1)
    expect(humans.filter(has_text=re.compile(r"Confirmed"))).to_have_count(3)
    expect(
        humans.filter(has_text="Dana Weber").or_(humans.filter(has_text="rec-demo")).first
    ).to_be_visible()
    expect(page.locator(".tl", has_text="Compliance review").first).to_be_visible()
    shot(page, screenshots, "audit")
    # The agents' steps, tool by tool, on request.
    expect(page.locator(".tl-agent")).to_have_count(0)
    page.get_by_label("Show agents' steps (tools, tasks)").check()
    expect(page.locator(".tl-agent", has_text="Job Description Writer").first).to_be_visible()
    expect(page.locator(".tl-agent", has_text=re.compile(r"uses \w")).first).to_be_visible()

    # The projects list and the candidates page, for the screenshots.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Projects").click()
    expect(page.get_by_role("link", name="Payments Backend Engineer")).to_be_visible()
    shot(page, screenshots, "projects")
    nav.get_by_role("link", name="Candidates").click()
    expect(page.get_by_role("heading", name="Your pool")).to_be_visible()
    # Add resumes to the pool: several files at once, each with its own result.
    page.get_by_label("Or choose files").set_input_files(
        [
            {"name": "grace-hopper.txt", "mimeType": "text/plain", "buffer": RESUME.encode()},
            {"name": "notes.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"},
        ]
    )
    results = page.get_by_role("list", name="Upload results")
    expect(results.locator(".upload-result.ok", has_text="grace-hopper.txt")).to_be_visible()
    expect(
        results.locator(".upload-result.refused", has_text="unsupported file type")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    shot(page, screenshots, "candidates")


RESUME = """Grace Hopper
grace.hopper@example.test
Berlin, Germany
Senior Backend Engineer | Python, PostgreSQL, Kubernetes

Experience
Staff Engineer, Compilers Inc (2015-2025): built Python services on PostgreSQL, ran them on
Kubernetes, mentored six engineers and reviewed designs for the payments platform.

Skills: Python, PostgreSQL, Kubernetes, Go, payments
"""
