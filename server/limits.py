"""Request body limits, answered like every other error: JSON ``{"detail": ...}`` with 413.

A body that announces its size (``Content-Length``) over the limit is refused before it is
read; a body sent in chunks is counted as it arrives and refused once it passes the limit.
(Starlette's own limiter answers in plain text, outside the app's error handlers.)
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large(limit: int) -> str:
    return f"request body too large: the limit is {limit:,} bytes"


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes; multipart uploads to paths under ``uploads``
    may carry up to ``upload_limit``."""

    def __init__(
        self, app: ASGIApp, *, limit: int, uploads: tuple[str, ...] = (), upload_limit: int = 0
    ) -> None:
        self.app = app
        self.limit = limit
        self.uploads = uploads
        self.upload_limit = upload_limit

    def _limit_for(self, scope: Scope) -> int:
        path = str(scope.get("path", ""))
        if self.uploads and path.startswith(self.uploads):
            kind = _header(scope, b"content-type") or b""
            if kind.startswith(b"multipart/form-data"):
                return max(self.upload_limit, self.limit)
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        total = 0

        async def counted() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit:
                    # Raised inside the route's body read: the app's handlers answer 413.
                    raise HTTPException(413, detail=too_large(limit))
            return message

        await self.app(scope, counted, send)


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": too_large(limit)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
