"""The outbox against a real SMTP server (aiosmtpd, started here on a free port): nothing is
sent before a person confirms it; confirmed outreach goes out with its invite; rejection
notices are drafts until confirmed; a failed send is retried and reported, never lost and
never sent twice."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import vobject
from aiosmtpd.controller import Controller

from config.settings import MailSettings
from tests.server.api_support import (
    add_user,
    api_settings,
    new_project,
    running_app,
    start_intake,
    wait_for,
)

pytestmark = pytest.mark.slow


class Inbox:
    """An SMTP handler that keeps what it accepts; ``refuse`` answers the next N with 451."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mail(port: int, **changes: Any) -> MailSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": port,
        "from_address": "recruiting@acme.test",
        "timeout_s": 5,
        "max_attempts": 3,
        "retry_after_s": 30,
        "poll_s": 3600,  # the tests deliver by hand
    }
    return MailSettings(**(values | changes))


def _calendar(message: Message) -> Any:
    """The message's .ics attachment, parsed by vobject (not the library that wrote it)."""
    [invite] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return vobject.readOne(invite.get_payload(decode=True).decode())


def _deliver(app: Any, settings: MailSettings, now: datetime | None = None) -> Any:
    """One delivery pass, as of ``now`` (default: the real clock)."""
    from server.outbox import deliver_due

    ctx = app.state.ctx
    if now is None:
        return deliver_due(ctx.engine, settings, ctx.audit)
    return deliver_due(ctx.engine, settings, ctx.audit, now=lambda: now)


def _rejection_drafts(client: Any, app: Any, headers: Any, count: int = 3) -> list[Any]:
    """``count`` candidates with e-mails in a project's pipeline, bulk-rejected with notices."""
    from server.db.models import Application

    project = new_project(client, headers)
    ids = []
    for n in range(count):
        body = {
            "text": f"Backend engineer number {n}: Python and PostgreSQL since {2010 + n}.",
            "name": f"Person {n} Example",
            "email": f"person{n}@mail.test",
        }
        [cid] = client.post("/api/candidates", json=body, headers=headers).json()["imported"]
        ids.append(cid)
    with app.state.ctx.writes() as session:
        rows = [Application(project_id=project["id"], candidate_id=c, stage="sourced",
                            history=[]) for c in ids]  # fmt: skip
        session.add_all(rows)
        session.commit()
        application_ids = [r.id for r in rows]
    moved = client.post(
        f"/api/projects/{project['id']}/applications/move",
        json={"application_ids": application_ids, "stage": "rejected", "reason": "role filled",
              "notify": True},
        headers=headers,
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert len(body["moved"]) == count and body["skipped"] == []
    assert all(a["stage"] == "rejected" for a in body["moved"])
    assert all(a["history"][-1]["why"] == "role filled" for a in body["moved"])
    return list(body["drafts"])


def test_confirmed_outreach_goes_out_once_with_its_invite(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mail = _mail(port)
    settings = api_settings(tmp_path / "data").model_copy(update={"mail": mail})
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber", user_id="rec-demo")
        project = new_project(client, dana)
        run = wait_for(client, dana, start_intake(client, dana, project["id"]))
        for _ in range(3):  # intake, sourcing, screening
            decided = client.post(
                f"/api/runs/{run['id']}/decision", json={"action": "confirm"}, headers=dana
            )
            run = wait_for(client, dana, decided.json()["next_run_id"])
        assert run["stage"] == "outreach" and run["status"] == "awaiting_review", run["error"]
        # Nothing is queued, let alone sent, before the outreach stage is confirmed.
        assert client.get("/api/outbox", headers=dana).json() == []
        _deliver(app, mail)
        assert inbox.messages == []

        planned = run["artifact"]["messages"]
        confirmed = client.post(
            f"/api/runs/{run['id']}/decision", json={"action": "confirm"}, headers=dana
        )
        assert confirmed.status_code == 200, confirmed.text
        queued = client.get("/api/outbox", params={"status": "confirmed"}, headers=dana).json()
        assert len(queued) == len(planned) and all(q["kind"] == "outreach" for q in queued)
        report = _deliver(app, mail)
        assert report.sent == len(planned) and report.failed == 0
        _deliver(app, mail)  # nothing left: no second copy
        assert len(inbox.messages) == len(planned)
        by_to = {m["To"]: m for m in inbox.messages}
        for message in planned:
            received = by_to[message["to"]]
            assert received["Subject"] == message["subject"]
            assert received["From"] == "recruiting@acme.test"
            assert received["Message-ID"].endswith("@hirecrew>")
            calendar = _calendar(received)
            assert calendar.method.value == "REQUEST"
            attendees = [a.value.lower() for a in calendar.vevent.contents["attendee"]]
            assert f"mailto:{message['to']}".lower() in attendees
        sent = client.get("/api/outbox", params={"status": "sent"}, headers=dana).json()
        assert len(sent) == len(planned) and all(s["attempts"] == 1 for s in sent)
        kinds = [e["kind"] for e in app.state.ctx.audit.records()]
        assert kinds.count("message_sent") == len(planned)

        # Move the first interview by a day, then cancel it: each change is a draft until
        # confirmed, and its invite keeps the UID with the next SEQUENCE.
        first = planned[0]
        original = _calendar(by_to[first["to"]])
        later = original.vevent.dtstart.value + timedelta(days=1)
        base = f"/api/projects/{project['id']}/interviews/{first['candidate_id']}"
        naive = client.post(f"{base}/reschedule", json={"start": "2030-01-01T10:00"}, headers=dana)
        assert naive.status_code == 422
        moved = client.post(
            f"{base}/reschedule",
            json={"start": later.isoformat(), "reason": "The panel is travelling."},
            headers=dana,
        )
        assert moved.status_code == 201, moved.text
        assert moved.json()["status"] == "draft" and moved.json()["kind"] == "reschedule"
        _deliver(app, mail)
        assert len(inbox.messages) == len(planned)  # a draft: nothing sent
        client.post(f"/api/outbox/{moved.json()['id']}/confirm", headers=dana)
        assert _deliver(app, mail).sent == 1
        update = _calendar(inbox.messages[-1])
        assert update.vevent.uid.value == original.vevent.uid.value
        assert update.vevent.sequence.value == "1" and update.method.value == "REQUEST"
        assert update.vevent.dtstart.value == later
        cancelled = client.post(f"{base}/cancel", json={}, headers=dana)
        assert cancelled.status_code == 201 and cancelled.json()["kind"] == "cancellation"
        client.post(f"/api/outbox/{cancelled.json()['id']}/confirm", headers=dana)
        assert _deliver(app, mail).sent == 1
        cancel = _calendar(inbox.messages[-1])
        assert cancel.method.value == "CANCEL" and cancel.vevent.status.value == "CANCELLED"
        assert cancel.vevent.uid.value == original.vevent.uid.value
        assert cancel.vevent.sequence.value == "2"
        again = client.post(f"{base}/reschedule", json={"start": later.isoformat()}, headers=dana)
        assert again.status_code == 422 and "not an open request" in again.json()["detail"]
        nobody = client.post(
            f"/api/projects/{project['id']}/interviews/cand-none/cancel", json={}, headers=dana
        )
        assert nobody.status_code == 404


def test_rejection_notices_wait_for_confirmation_and_survive_a_flaky_server(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mail = _mail(port)
    settings = api_settings(tmp_path / "data").model_copy(update={"mail": mail})
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        olga = add_user(app, "Olga Other")
        drafts = _rejection_drafts(client, app, dana)
        assert {d["status"] for d in drafts} == {"draft"}
        assert all("will not be moving forward" in d["body"] for d in drafts)
        _deliver(app, mail)
        assert inbox.messages == []  # drafts are never sent

        first, second, third = drafts
        edited = client.patch(
            f"/api/outbox/{first['id']}",
            json={"body": "Hi Person 0,\n\nWe filled the role. Thank you!\n"},
            headers=dana,
        )
        assert edited.status_code == 200 and "filled the role" in edited.json()["body"]
        assert client.delete(f"/api/outbox/{third['id']}", headers=dana).status_code == 204
        assert client.post(f"/api/outbox/{first['id']}/confirm", headers=olga).status_code == 404
        for draft in (first, second):
            answer = client.post(f"/api/outbox/{draft['id']}/confirm", headers=dana)
            assert answer.status_code == 200 and answer.json()["status"] == "confirmed"
        # A queued message is not a draft any more: no edit, no discard.
        assert (
            client.patch(f"/api/outbox/{first['id']}", json={"body": "x"}, headers=dana).status_code
            == 409
        )
        assert client.delete(f"/api/outbox/{first['id']}", headers=dana).status_code == 409

        inbox.refuse = 2  # the server turns the first two attempts away
        now = datetime.now(UTC)
        report = _deliver(app, mail, now)
        assert (report.sent, report.retried) == (0, 2)
        assert _deliver(app, mail, now).sent == 0  # not due before the retry delay
        later = now + timedelta(seconds=mail.retry_after_s + 1)
        assert _deliver(app, mail, later).sent == 2
        assert _deliver(app, mail, later + timedelta(hours=1)).sent == 0
        assert sorted(m["To"] for m in inbox.messages) == ["person0@mail.test",
                                                           "person1@mail.test"]  # fmt: skip
        assert (
            "We filled the role"
            in inbox.messages[0].get_payload() + inbox.messages[1].get_payload()
        )
        sent = client.get("/api/outbox", params={"status": "sent"}, headers=dana).json()
        assert sorted(s["attempts"] for s in sent) == [2, 2]


def test_a_send_that_keeps_failing_is_reported_not_lost(tmp_path: Path) -> None:
    mail = _mail(_free_port(), max_attempts=2)  # nothing listens there
    settings = api_settings(tmp_path / "data").model_copy(update={"mail": mail})
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        [draft] = _rejection_drafts(client, app, dana, count=1)
        client.post(f"/api/outbox/{draft['id']}/confirm", headers=dana)
        now = datetime.now(UTC)
        assert _deliver(app, mail, now).retried == 1
        assert _deliver(app, mail, now + timedelta(seconds=31)).failed == 1
        [failed] = client.get("/api/outbox", params={"status": "failed"}, headers=dana).json()
        assert failed["attempts"] == 2 and "Connection" in (failed["last_error"] or "")
        kinds = [e["kind"] for e in app.state.ctx.audit.records()]
        assert "message_retry" in kinds and "message_failed" in kinds


def test_two_senders_never_send_the_same_message_twice(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    from server.outbox import deliver_due

    inbox, port = smtp
    mail = _mail(port)
    settings = api_settings(tmp_path / "data").model_copy(update={"mail": mail})
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        drafts = _rejection_drafts(client, app, dana, count=6)
        for draft in drafts:
            client.post(f"/api/outbox/{draft['id']}/confirm", headers=dana)
        ctx = app.state.ctx
        reports: list[Any] = []
        senders = [
            threading.Thread(
                target=lambda n=n: reports.append(
                    deliver_due(ctx.engine, mail, ctx.audit, worker=f"sender-{n}")
                )
            )
            for n in range(3)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
        assert sum(r.sent for r in reports) == 6
        assert len(inbox.messages) == 6 and len({m["Message-ID"] for m in inbox.messages}) == 6


def test_with_mail_off_nothing_leaves(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "data")
    assert settings.mail.enabled is False
    with running_app(settings) as (client, app):
        dana = add_user(app, "Dana Weber")
        [draft] = _rejection_drafts(client, app, dana, count=1)
        client.post(f"/api/outbox/{draft['id']}/confirm", headers=dana)
        assert _deliver(app, settings.mail).disabled is True
        [queued] = client.get("/api/outbox", headers=dana).json()
        assert queued["status"] == "confirmed" and queued["attempts"] == 0
