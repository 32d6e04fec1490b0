"""Errors the server's services raise; ``server.app`` maps them (and ``HirecrewError``) to HTTP.

ApiError            (a status code and a message for a person)
├── NotFound        404: no such thing, or not yours (never a 403 that confirms it exists)
├── Conflict        409: the thing is not in a state that allows this
└── Unprocessable   422: well-formed input that cannot be used
"""

from __future__ import annotations


class ApiError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    status_code = 409


class Unprocessable(ApiError):
    status_code = 422
