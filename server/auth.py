"""Bearer tokens: issue, hash, look up; the FastAPI dependencies for the caller and their role.

A token is shown once, when it is issued (``hirecrew users create``); the database keeps only
its SHA-256, so a leaked database does not leak sign-ins. Roles:

- ``recruiter``: owns projects, candidates and memories; sees only their own.
- ``admin``: sees and decides everything.
- ``editor``: manages the role configuration (agents, tasks, crews YAML); no projects.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import User
from server.logs import note_user

TOKEN_PREFIX = "hc_"


class Role(StrEnum):
    RECRUITER = "recruiter"
    ADMIN = "admin"
    EDITOR = "editor"


@dataclass(frozen=True)
class Principal:
    """The signed-in user, detached from any session."""

    id: str
    name: str
    email: str | None
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def new_token() -> str:
    """A fresh random bearer token (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    session: Session,
    *,
    name: str,
    role: Role,
    email: str | None = None,
    user_id: str | None = None,
) -> tuple[User, str]:
    """Add a user with a new token; returns the row and the token (shown once).

    Raises:
        ValueError: an empty name.
    """
    name = name.strip()
    if not name:
        raise ValueError("a user needs a name")
    token = new_token()
    user = User(name=name, role=role.value, email=email or None, token_hash=hash_token(token))
    if user_id is not None:
        user.id = user_id
    session.add(user)
    session.flush()
    return user, token


def rotate_token(session: Session, user: User) -> str:
    """Give ``user`` a new token; the old one stops working."""
    token = new_token()
    user.token_hash = hash_token(token)
    session.flush()
    return token


def lookup(session: Session, token: str) -> Principal | None:
    """The enabled user whose token this is, or None."""
    digest = hash_token(token)
    user = session.scalars(select(User).where(User.token_hash == digest)).first()
    # The equality above already matched; compare again in constant time for good measure.
    if user is None or user.disabled or not hmac.compare_digest(user.token_hash, digest):
        return None
    try:
        role = Role(user.role)
    except ValueError:
        return None
    return Principal(id=user.id, name=user.name, email=user.email, role=role)


_bearer = HTTPBearer(auto_error=False, description="a token from `hirecrew users create`")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 with a message otherwise."""
    if credentials is None:
        raise _unauthorized(
            "authentication required: send 'Authorization: Bearer <token>' "
            "(create one with `hirecrew users create NAME --role recruiter`)"
        )
    if credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized("authentication required: the Authorization scheme must be Bearer")
    sessions: sessionmaker[Session] = request.app.state.ctx.sessions
    with sessions() as session:
        principal = lookup(session, credentials.credentials)
    if principal is None:
        raise _unauthorized("invalid or revoked token")
    note_user(principal.id)  # on every log line of this request (server.logs)
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def require(*roles: Role) -> Any:
    """A dependency that admits only callers with one of ``roles`` (403 otherwise)."""

    def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            wanted = " or ".join(r.value for r in roles)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"this needs the {wanted} role; you are signed in as {user.role.value}",
            )
        return user

    return Depends(check)


ProjectUser = Annotated[Principal, require(Role.RECRUITER, Role.ADMIN)]
ConfigEditor = Annotated[Principal, require(Role.EDITOR, Role.ADMIN)]
AdminUser = Annotated[Principal, require(Role.ADMIN)]
