"""``GET /api/healthz``: the one route that needs no token."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from server.schemas import Health

router = APIRouter(tags=["health"])


def version_string() -> str:
    try:
        return version("hirecrew")
    except PackageNotFoundError:
        return "unknown"


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The server is up and answering."""
    return Health(version=version_string())
