"""``make run``'s demo recruiter: their pool is in the database like anyone's (listed,
searchable, erasable) and seeding again neither duplicates it nor brings back what they
erased."""

from __future__ import annotations

from pathlib import Path

from tests.server.api_support import api_settings, running_app


def test_the_demo_pool_is_the_demo_recruiters_candidates(tmp_path: Path) -> None:
    from server.admin import seed_demo

    settings = api_settings(tmp_path / "data")
    token = seed_demo(settings)
    with running_app(settings) as (client, _app):
        headers = {"Authorization": f"Bearer {token}"}
        listed = client.get("/api/candidates", params={"limit": 500}, headers=headers).json()
        assert len(listed) >= 200
        hits = client.get("/api/candidates", params={"q": "kubernetes"}, headers=headers).json()
        assert hits and len(hits) < len(listed)
        gone = listed[0]["id"]
        assert client.delete(f"/api/candidates/{gone}", headers=headers).status_code == 204
    token = seed_demo(settings)  # `make run` again
    with running_app(settings) as (client, _app):
        headers = {"Authorization": f"Bearer {token}"}
        again = client.get("/api/candidates", params={"limit": 500}, headers=headers).json()
        assert len(again) == len(listed) - 1 and gone not in {c["id"] for c in again}
