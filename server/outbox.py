"""The outbox: every e-mail hirecrew may send, held until a person confirmed it, then sent
through an SMTP server with retries (``HIRECREW_MAIL__...``).

- Outreach: confirming (or editing) the outreach stage is the recruiter's confirmation of its
  messages; each is queued with its interview invite (.ics) attached.
- Rejection notices: a bulk move to "rejected" with ``notify`` drafts one per candidate; each
  waits as a draft until the recruiter confirms it (or edits, or discards it).

Delivery (``deliver_due``, run by the server's sender thread or ``hirecrew outbox send``)
claims one queued message at a time (a conditional update, so two senders never take the
same one), sends it, and marks it sent; a failed attempt is retried with a doubling delay up
to ``max_attempts``, then the message is ``failed`` with its last error, for the recruiter to
see; nothing is dropped. A sender that dies between the SMTP server's acceptance and marking
the message sent leaves it ``sending``: after ``stale_after`` it is sent again, with the same
Message-ID, so mail systems and readers can tell it is the same message (at least once).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from config.settings import MailSettings
from domain.artifacts import CalendarInvite, InterviewSlot, OutreachPlan
from domain.errors import DomainError
from domain.outreach import draft_rejection_notice, sanitise_untrusted
from domain.scheduling import cancel_invite, read_invite, reschedule_invite
from server.db.engine import session_factory, write_transaction
from server.db.models import Application, CandidateRow, OutboxMessage, Project, User

log = logging.getLogger(__name__)

DRAFT, CONFIRMED, SENDING, SENT, FAILED = "draft", "confirmed", "sending", "sent", "failed"
OUTREACH, REJECTION = "outreach", "rejection"
RESCHEDULE, CANCELLATION = "reschedule", "cancellation"


def _now() -> datetime:
    return datetime.now(UTC)


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _message_id(key: str) -> str:
    return f"{key[:32]}@hirecrew"


class AuditAppender(Protocol):
    def append(self, kind: str, **fields: Any) -> dict[str, Any]: ...


# --- putting messages in --------------------------------------------------------------------


def queue_outreach(
    session: Session,
    *,
    owner_id: str,
    project_id: str,
    run_id: str,
    plan: dict[str, Any],
    actor: str,
) -> list[OutboxMessage]:
    """Queue the messages of a confirmed outreach plan, each with its candidate's invite
    attached (the gate's confirmation is the recruiter's confirmation). Queued once: the same
    run confirmed again adds nothing."""
    outreach = OutreachPlan.model_validate(plan)
    invites = {i.candidate_id: i for i in outreach.invites}
    queued = []
    for message in outreach.messages:
        key = _key(OUTREACH, project_id, run_id, message.candidate_id)
        if session.scalars(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first():
            continue
        invite = invites.get(message.candidate_id)
        row = OutboxMessage(
            owner_id=owner_id,
            project_id=project_id,
            candidate_id=message.candidate_id,
            kind=OUTREACH,
            dedupe_key=key,
            to=message.to,
            subject=message.subject,
            body=message.body,
            attachments=(
                [
                    {
                        "filename": invite.filename,
                        "type": "text/calendar",
                        "method": "REQUEST",
                        "text": invite.ics,
                    }
                ]
                if invite
                else []
            ),
            message_id=_message_id(key),
            status=CONFIRMED,
            attempts=0,
            confirmed_by=actor,
            confirmed_at=_now(),
        )
        session.add(row)
        queued.append(row)
    return queued


@dataclass
class Drafted:
    drafts: list[OutboxMessage] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def draft_rejections(
    session: Session, *, project: Project, owner: User, applications: list[Application]
) -> Drafted:
    """Draft a rejection notice for each application's candidate, to be confirmed one by one
    (a candidate without an e-mail address is skipped, and said so)."""
    result = Drafted()
    ids = [a.candidate_id for a in applications]
    rows = {
        r.candidate_id: r
        for r in session.scalars(
            select(CandidateRow).where(
                CandidateRow.owner_id == project.owner_id, CandidateRow.candidate_id.in_(ids)
            )
        )
    }
    for application in applications:
        key = _key(REJECTION, project.id, application.candidate_id)
        existing = session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == key)
        ).first()
        if existing is not None:
            result.drafts.append(existing)
            continue
        row = rows.get(application.candidate_id)
        data = row.data if row is not None and isinstance(row.data, dict) else {}
        email = str(data.get("email") or "")
        if not email:
            result.skipped.append(
                {"application_id": application.id, "reason": "no e-mail address on file"}
            )
            continue
        try:
            notice = draft_rejection_notice(
                candidate_id=application.candidate_id,
                candidate_name=str(data.get("name") or ""),
                candidate_email=email,
                job_title=project.title,
                company=project.company or "our company",
                recruiter_name=owner.name,
            )
        except DomainError as exc:
            result.skipped.append({"application_id": application.id, "reason": str(exc)})
            continue
        draft = OutboxMessage(
            owner_id=project.owner_id,
            project_id=project.id,
            candidate_id=application.candidate_id,
            kind=REJECTION,
            dedupe_key=key,
            to=notice.to,
            subject=notice.subject,
            body=notice.body,
            attachments=[],
            message_id=_message_id(key),
            status=DRAFT,
            attempts=0,
        )
        session.add(draft)
        result.drafts.append(draft)
    return result


class NoInvite(DomainError):
    """The candidate has no interview invite that went out (or is queued) in this project."""


def draft_interview_change(
    session: Session,
    *,
    project: Project,
    owner: User,
    candidate_id: str,
    new_start: datetime | None,
    reason: str | None = None,
) -> OutboxMessage:
    """A draft that moves (``new_start``) or cancels (``None``) the candidate's interview: the
    updated invite (same UID, SEQUENCE + 1; METHOD:CANCEL for a cancellation) with a short
    note, for the recruiter to confirm like any other message.

    Raises:
        NoInvite: no invite of theirs was confirmed in this project.
        DomainError: the new time is unusable, or the invite was cancelled already.
    """
    previous = _latest_invite(session, project.id, candidate_id)
    if previous is None:
        raise NoInvite(f"candidate '{candidate_id}' has no confirmed interview in this project")
    row, attachment = previous
    invite = CalendarInvite(
        candidate_id=candidate_id,
        filename=str(attachment.get("filename", "interview.ics")),
        ics=str(attachment.get("text", "")),
    )
    details = read_invite(invite.ics)
    stamp = _now()
    if new_start is None:
        changed, kind, method = cancel_invite(invite, dtstamp=stamp), CANCELLATION, "CANCEL"
        subject = f"Cancelled: {details.title}"
        lines = [f"We have to cancel your interview ({details.title})."]
    else:
        slot = InterviewSlot(
            candidate_id=candidate_id,
            start=new_start,
            end=new_start + (details.end - details.start),
            interviewers=[a.email for a in details.attendees if a.email != row.to],
        )
        changed, kind, method = (
            reschedule_invite(invite, slot, dtstamp=stamp),
            RESCHEDULE,
            "REQUEST",
        )
        subject = f"New time: {details.title}"
        lines = [
            f"We need to move your interview ({details.title}). The updated invitation is "
            "attached; please accept it, or reply if the new time does not suit you."
        ]
    if reason:
        lines.append(sanitise_untrusted(reason))
    body = "\n\n".join(["Hi,", *lines, f"Best regards,\n{owner.name}"]) + "\n"
    key = _key(kind, project.id, candidate_id, hashlib.sha256(changed.ics.encode()).hexdigest())
    draft = OutboxMessage(
        owner_id=project.owner_id,
        project_id=project.id,
        candidate_id=candidate_id,
        kind=kind,
        dedupe_key=key,
        to=row.to,
        subject=subject,
        body=body,
        attachments=[
            {
                "filename": changed.filename,
                "type": "text/calendar",
                "method": method,
                "text": changed.ics,
            }
        ],
        message_id=_message_id(key),
        status=DRAFT,
        attempts=0,
    )
    session.add(draft)
    return draft


def _latest_invite(
    session: Session, project_id: str, candidate_id: str
) -> tuple[OutboxMessage, dict[str, Any]] | None:
    """The newest invite sent (or queued) to the candidate in the project, with its row."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.project_id == project_id,
            OutboxMessage.candidate_id == candidate_id,
            OutboxMessage.status.in_([CONFIRMED, SENDING, SENT]),
        )
        .order_by(OutboxMessage.created_at.desc())
    )
    for row in rows:
        for attachment in row.attachments or []:
            if isinstance(attachment, dict) and attachment.get("type") == "text/calendar":
                return row, attachment
    return None


# --- sending --------------------------------------------------------------------------------


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message to the mail system; raise on failure."""


class SmtpMailer:
    """Sends through the configured SMTP server (STARTTLS and login when configured)."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        mail = self.settings
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_s) as smtp:
            if mail.starttls:
                smtp.starttls()
            if mail.username:
                password = mail.password.get_secret_value() if mail.password else ""
                smtp.login(mail.username, password)
            smtp.send_message(message)


class PermanentFailure(Exception):
    """The message cannot be sent as it is (no retry helps): it fails at once."""


def build_email(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """The message as it goes out: plain text, its attachments, a stable Message-ID."""
    message = EmailMessage()
    try:
        message["From"] = settings.from_address
        message["To"] = row.to
        message["Subject"] = row.subject
        message["Message-ID"] = f"<{row.message_id}>"
        message["Date"] = format_datetime(_now())
    except ValueError as exc:  # a header the policy refuses (a line break in it...)
        raise PermanentFailure(f"invalid header: {exc}") from exc
    message.set_content(row.body)
    for attachment in row.attachments or []:
        if not isinstance(attachment, dict):
            continue
        maintype, _, subtype = str(attachment.get("type", "text/plain")).partition("/")
        method = str(attachment.get("method", "REQUEST"))
        params = {"method": method} if subtype == "calendar" else {}
        message.add_attachment(
            str(attachment.get("text", "")),
            subtype=subtype or "plain",
            filename=str(attachment.get("filename", "attachment.txt")),
            params=params,
        )
        del maintype
    return message


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    disabled: bool = False


def deliver_due(
    engine: Engine,
    settings: MailSettings,
    audit: AuditAppender,
    *,
    mailer: Mailer | None = None,
    worker: str = "sender",
    now: Callable[[], datetime] = _now,
    limit: int = 200,
) -> DeliveryReport:
    """Send every queued message that is due (see the module for the guarantees)."""
    report = DeliveryReport()
    if not settings.enabled:
        report.disabled = True
        return report
    mailer = mailer or SmtpMailer(settings)
    report.released = _release_stale(engine, settings, now())
    sessions = session_factory(engine)
    for _ in range(limit):
        row = _claim(engine, sessions, worker, now())
        if row is None:
            break
        try:
            mailer.send(build_email(row, settings))
        except Exception as exc:  # the SMTP server, the network, or the message itself
            outcome = _failed(engine, row, settings, exc, now())
            setattr(report, outcome, getattr(report, outcome) + 1)
            audit.append(
                "message_failed" if outcome == "failed" else "message_retry",
                project_id=row.project_id,
                outbox_id=row.id,
                message_kind=row.kind,
                attempts=row.attempts + 1,
                error=_error(exc),
            )
            continue
        _sent(engine, row, now())
        report.sent += 1
        audit.append(
            "message_sent",
            project_id=row.project_id,
            outbox_id=row.id,
            message_kind=row.kind,
            candidate_id=row.candidate_id,
            message_id=row.message_id,
        )
    return report


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _stale_after(settings: MailSettings) -> timedelta:
    return timedelta(seconds=max(60.0, 4 * settings.timeout_s))


def _release_stale(engine: Engine, settings: MailSettings, moment: datetime) -> int:
    """Messages a sender took and never finished (it died): queued again."""
    with write_transaction(engine) as conn:
        result = conn.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == SENDING,
                OutboxMessage.claimed_at < moment - _stale_after(settings),
            )
            .values(status=CONFIRMED, claimed_by=None, claimed_at=None)
        )
        return int(result.rowcount or 0)


def _claim(engine: Engine, sessions: Any, worker: str, moment: datetime) -> OutboxMessage | None:
    with sessions() as session:
        candidates = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == CONFIRMED)
            .where(
                (OutboxMessage.next_attempt_at.is_(None))
                | (OutboxMessage.next_attempt_at <= moment)
            )
            .order_by(OutboxMessage.created_at)
            .limit(20)
        ).all()
    for message_id in candidates:
        with write_transaction(engine) as conn:
            taken = conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == CONFIRMED)
                .values(status=SENDING, claimed_by=worker, claimed_at=moment)
            ).rowcount
        if int(taken or 0):
            with sessions() as session:
                row: OutboxMessage | None = session.get(OutboxMessage, message_id)
                if row is not None:
                    session.expunge(row)
                    return row
    return None


def _sent(engine: Engine, row: OutboxMessage, moment: datetime) -> None:
    with write_transaction(engine) as conn:
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(
                status=SENT,
                sent_at=moment,
                attempts=OutboxMessage.attempts + 1,
                last_error=None,
                claimed_by=None,
            )
        )


def _failed(
    engine: Engine, row: OutboxMessage, settings: MailSettings, exc: Exception, moment: datetime
) -> str:
    attempts = row.attempts + 1
    final = isinstance(exc, PermanentFailure) or attempts >= settings.max_attempts
    delay = timedelta(seconds=settings.retry_after_s * 2 ** (attempts - 1))
    with write_transaction(engine) as conn:
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(
                status=FAILED if final else CONFIRMED,
                attempts=attempts,
                last_error=_error(exc),
                next_attempt_at=None if final else moment + delay,
                claimed_by=None,
                claimed_at=None,
            )
        )
    log.warning("outbox message %s: attempt %s failed: %s", row.id, attempts, _error(exc))
    return "failed" if final else "retried"


class Sender:
    """The server's sender: ``deliver_due`` every ``poll_s`` on a daemon thread (only when
    mail is enabled), until stopped."""

    def __init__(self, deliver: Callable[[], object], interval: float) -> None:
        self._deliver = deliver
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hirecrew-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._deliver()
            except Exception:
                log.warning("the outbox sender failed", exc_info=True)
