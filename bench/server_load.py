"""Benchmark: the REST server under load, on SQLite and on PostgreSQL.

A real server process (uvicorn, ``server.app.create_app``) runs against a fresh data directory
for each database; this process is the load generator (httpx async clients, keep-alive, one
connection per client). Both share the machine's cores, as they would on a small box.

- **write load**: ``--pipelines`` (50) hiring pipelines at once, on the offline engine, across
  ``--recruiters`` recruiters, each driven over REST by its own client task: create the
  project, start intake, poll ``GET /api/runs/{id}`` (every ``--poll`` s) until it awaits
  review, confirm, follow ``next_run_id`` through all four gates. Every 5th pipeline sends
  each confirm twice at once (the same decision: both must answer 200 with the same next run)
  and once more afterwards; every 5th (another one) sends two *different* confirms at once
  (one must win, the other get 409). Then the API and the database are checked: every run
  has exactly one decision, every gate one ``human_decision`` audit event, every project is
  completed with four confirmed runs and nothing failed, and ``GET /api/audit/verify`` (as an
  admin) says the hash chain is intact. Reported: wall time, pipelines/min, decision latency
  (the POST) and gate turnaround (decision -> next run awaiting review, queueing included).
- **read load**: each recruiter also gets ``--projects`` open projects; ``C`` clients (for C in
  ``--clients``) call one endpoint for ``--duration`` s each (after a 1 s warm-up):
  ``GET /api/projects`` and ``GET /api/runs/{id}`` (the runs of the pipelines above, each client
  cycling through its recruiter's runs). p50/p99 latency and requests/s.
- **baseline**, same server, same clients, same run: ``GET /api/healthz`` (no auth, no
  database). Ratios are endpoint / baseline (latency) and baseline / endpoint (throughput).

PostgreSQL: ``--postgres-url`` or ``HIRECREW_TEST_POSTGRES_URL`` (its role must be allowed to
``CREATE DATABASE``), else a throwaway cluster from Debian's binaries (``/usr/lib/postgresql/
*/bin``, run as ``postgres`` when this runs as root) with ``synchronous_commit=off``: the
durability of SQLite's WAL with ``synchronous=NORMAL`` (no flush per commit, no corruption).

The server logs at warning level with no access log; its stderr is scanned for errors
(tracebacks, "database is locked") and counted in the results.

    make bench BENCH=server_load              # or:
    .venv/bin/python bench/server_load.py --pipelines 50 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import glob
import json
import os
import platform
import pwd
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parent / "results" / "server_load.json"
STAGES = ("intake", "sourcing", "screening", "outreach")
SETTLED = {"awaiting_review", "confirmed", "rejected", "stopped", "failed"}
POSTGRES_ENV = "HIRECREW_TEST_POSTGRES_URL"
INTAKE_NOTES_TITLES = ("Senior Backend Engineer", "Platform Engineer", "Data Engineer")


# --- the server process ----------------------------------------------------------------------


def serve(args: argparse.Namespace) -> None:
    """``--serve``: run the API with uvicorn in this process (the bench's child). ``kill -USR1``
    dumps every thread's stack into the server log (to see where a stuck server waits)."""
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    from config.settings import DatabaseSettings, Settings, quiet_environment

    settings = Settings(
        data_dir=Path(args.data_dir),
        database=DatabaseSettings(url=args.db_url),
        cache_dir=Path(args.cache_dir),
    )
    quiet_environment(settings)
    import uvicorn

    from server.app import create_app

    app = create_app(settings, worker_threads=args.workers)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path


@contextmanager
def running_server(
    data_dir: Path, db_url: str, cache_dir: Path, workers: int, log: Path
) -> Iterator[Server]:
    port = _free_port()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve",
        "--data-dir",
        str(data_dir),
        "--db-url",
        db_url,
        "--cache-dir",
        str(cache_dir),
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode}): {log.read_text()}")
            try:
                if httpx.get(f"{server.base_url}/api/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer in 120 s: {log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_log_problems(log: Path) -> dict[str, Any]:
    text = log.read_text(errors="replace")
    lines = text.splitlines()
    markers = ("Traceback", "ERROR", "database is locked", "deadlock", "QueuePool limit")
    counts = {m: sum(m in line for line in lines) for m in markers}
    first = next((i for i, line in enumerate(lines) if "Traceback" in line or "ERROR" in line), -1)
    return {
        "counts": {k: v for k, v in counts.items() if v},
        "first_lines": lines[first : first + 40] if first >= 0 else [],
    }


# --- databases -------------------------------------------------------------------------------


def _run_as(command: list[str], user: str | None) -> None:
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}")


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster from Debian's binaries; yields an admin URL."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise RuntimeError(
            f"no PostgreSQL binaries under /usr/lib/postgresql; pass --postgres-url or "
            f"set {POSTGRES_ENV}"
        )
    bindir = Path(binaries[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="hirecrew-bench-pg-"))
    user = None
    if os.geteuid() == 0:  # postgres refuses to run as root
        user = "postgres"
        account = pwd.getpwnam(user)
        os.chown(base, account.pw_uid, account.pw_gid)
    data, port = base / "data", _free_port()
    pg_ctl = str(bindir / "pg_ctl")
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        _run_as([*initdb, "-E", "UTF8", "--no-instructions"], user)
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c synchronous_commit=off "
            "-c max_connections=200"
        )
        _run_as(
            [pg_ctl, "-D", str(data), "-l", str(base / "log"), "-w", "-o", options, "start"], user
        )
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            _run_as([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], user)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


@contextmanager
def postgres_database(given: str | None) -> Iterator[tuple[str, str]]:
    """A fresh database: (its SQLAlchemy URL, where the server came from)."""
    import psycopg
    from sqlalchemy import make_url

    with _given(given) if given else postgres_cluster() as admin:
        parsed = make_url(admin)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        name = f"hirecrew_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        try:
            source = "given URL" if given else "throwaway Debian cluster (synchronous_commit=off)"
            url = parsed.set(database=name).render_as_string(hide_password=False)
            yield url, f"PostgreSQL {version}, {source}"
        finally:
            with psycopg.connect(libpq, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Seeded:
    admin: dict[str, str]
    recruiters: list[tuple[str, dict[str, str]]]  # (user id, auth headers)


def seed_users(db_url: str, recruiters: int, pool_size: int) -> Seeded:
    """An admin and ``recruiters`` recruiters, each with the same synthetic candidate pool
    (the same content: the server embeds it once and every recruiter shares the index)."""
    from domain.sample_data import generate_pool
    from server.auth import Role, create_user
    from server.db.engine import make_engine, session_factory
    from server.db.migrate import upgrade
    from server.db.models import CandidateRow

    pool = [c.model_dump(mode="json") for c in generate_pool(pool_size)]
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            _, admin_token = create_user(session, name="Bench Admin", role=Role.ADMIN)
            people = []
            for i in range(recruiters):
                user, token = create_user(
                    session,
                    name=f"Recruiter {i:02d}",
                    role=Role.RECRUITER,
                    email=f"recruiter{i:02d}@example.test",
                )
                session.add_all(
                    CandidateRow(
                        owner_id=user.id,
                        candidate_id=c["id"],
                        source="bench",
                        name=c["name"],
                        data=c,
                    )
                    for c in pool
                )
                people.append((user.id, {"Authorization": f"Bearer {token}"}))
            session.commit()
    finally:
        engine.dispose()
    return Seeded({"Authorization": f"Bearer {admin_token}"}, people)


# --- statistics ------------------------------------------------------------------------------


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    if not samples_ms:
        return {"n": 0}
    ordered = sorted(samples_ms)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(rank(0.99), 2),
        "max_ms": round(ordered[-1], 2),
    }


# --- write load: pipelines -------------------------------------------------------------------


@dataclass
class PipelineOutcome:
    index: int
    mode: str
    project_id: str = ""
    run_ids: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    decision_ms: list[float] = field(default_factory=list)
    turnaround_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)


async def _post(
    client: httpx.AsyncClient, out: PipelineOutcome, url: str, body: Any, headers: Any
) -> httpx.Response:
    started = time.perf_counter()
    answer = await client.post(url, json=body, headers=headers)
    if url.endswith("/decision"):
        out.decision_ms.append((time.perf_counter() - started) * 1000)
    out.statuses[answer.status_code] += 1
    if answer.status_code >= 500:
        out.problems.append(f"POST {url}: {answer.status_code} {answer.text[:300]}")
    return answer


async def _settled(
    client: httpx.AsyncClient, out: PipelineOutcome, run_id: str, headers: Any, poll_s: float
) -> dict[str, Any]:
    deadline = time.monotonic() + 900
    while True:
        answer = await client.get(f"/api/runs/{run_id}", headers=headers)
        out.statuses[answer.status_code] += 1
        if answer.status_code != 200:
            out.problems.append(f"GET run {run_id}: {answer.status_code} {answer.text[:300]}")
            if answer.status_code >= 500:
                await asyncio.sleep(poll_s)
                continue
            return {"status": "error"}
        view: dict[str, Any] = answer.json()
        if view["status"] in SETTLED:
            return view
        if time.monotonic() > deadline:
            return {"status": "timeout"}
        await asyncio.sleep(poll_s)


async def _completed(
    client: httpx.AsyncClient, out: PipelineOutcome, headers: Any, poll_s: float
) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        answer = await client.get(f"/api/projects/{out.project_id}", headers=headers)
        out.statuses[answer.status_code] += 1
        if answer.status_code == 200 and answer.json()["status"] != "active":
            return
        await asyncio.sleep(poll_s)
    out.problems.append(f"project {out.project_id} still active 300 s after its last decision")


async def drive_pipeline(
    base_url: str, headers: dict[str, str], out: PipelineOutcome, poll_s: float
) -> None:
    """One project through its four gates; ``out.mode``: single, same (a duplicate at once
    and a repeat after) or conflict (two different decisions at once)."""
    index, mode = out.index, out.mode
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        from domain.sample_data import SAMPLE_INTAKE_NOTES

        title = f"{INTAKE_NOTES_TITLES[index % len(INTAKE_NOTES_TITLES)]} #{index}"
        body = {"title": title, "intake_notes": SAMPLE_INTAKE_NOTES, "company": "Acme"}
        answer = await _post(client, out, "/api/projects", body, headers)
        if answer.status_code != 201:
            out.problems.append(f"create project: {answer.status_code} {answer.text[:300]}")
            return
        out.project_id = answer.json()["id"]
        answer = await _post(
            client, out, f"/api/projects/{out.project_id}/runs", {"stage": "intake"}, headers
        )
        if answer.status_code != 202:
            out.problems.append(f"start intake: {answer.status_code} {answer.text[:300]}")
            return
        run_id: str | None = answer.json()["run_id"]
        decided_at = time.perf_counter()
        while run_id is not None:
            out.run_ids.append(run_id)
            view = await _settled(client, out, run_id, headers, poll_s)
            if view["status"] != "awaiting_review":
                out.problems.append(
                    f"run {run_id} ({view.get('stage')}) ended {view['status']}: "
                    f"{view.get('error')}"
                )
                break
            out.turnaround_ms.append((time.perf_counter() - decided_at) * 1000)
            url = f"/api/runs/{run_id}/decision"
            confirm = {"action": "confirm"}
            decided_at = time.perf_counter()
            answers: list[httpx.Response]
            if mode == "same":
                answers = list(
                    await asyncio.gather(
                        _post(client, out, url, confirm, headers),
                        _post(client, out, url, confirm, headers),
                    )
                )
                answers.append(await _post(client, out, url, confirm, headers))
                codes = [a.status_code for a in answers]
                nexts = {a.json().get("next_run_id") for a in answers if a.status_code == 200}
                if codes != [200, 200, 200] or len(nexts) != 1:
                    out.problems.append(f"duplicate confirm of {run_id}: {codes}, next {nexts}")
            elif mode == "conflict":
                other = {"action": "confirm", "comment": f"a different decision ({index})"}
                answers = list(
                    await asyncio.gather(
                        _post(client, out, url, confirm, headers),
                        _post(client, out, url, other, headers),
                    )
                )
                codes = sorted(a.status_code for a in answers)
                if codes != [200, 409]:
                    out.problems.append(f"conflicting confirms of {run_id}: {codes}")
            else:
                answers = [await _post(client, out, url, confirm, headers)]
            won = [a for a in answers if a.status_code == 200]
            if not won:
                out.problems.append(
                    f"no decision on {run_id} accepted: "
                    f"{[(a.status_code, a.text[:200]) for a in answers]}"
                )
                break
            run_id = won[0].json().get("next_run_id")
        # The last confirm answers at once; the flow finishes (and the project completes) in
        # a worker job after it.
        await _completed(client, out, headers, poll_s)
    out.wall_s = time.perf_counter() - started


def _mode(index: int) -> str:
    return {1: "same", 3: "conflict"}.get(index % 5, "single")


STALL_S = 120.0


async def _watch(outcomes: list[PipelineOutcome], server: Server, stalls: list[str]) -> None:
    """Dump the server's stacks into its log when no pipeline got further for ``STALL_S``."""
    seen, since = -1, time.monotonic()
    while True:
        await asyncio.sleep(5)
        progress = sum(len(o.turnaround_ms) + len(o.decision_ms) for o in outcomes)
        if progress != seen:
            seen, since = progress, time.monotonic()
        elif time.monotonic() - since > STALL_S:
            stalls.append(f"no progress for {STALL_S:.0f} s at step {progress}; stacks in log")
            server.process.send_signal(signal.SIGUSR1)
            since = time.monotonic()


async def write_load(
    server: Server, seeded: Seeded, pipelines: int, poll_s: float, offset: int = 0
) -> tuple[list[PipelineOutcome], float, list[str]]:
    started = time.perf_counter()
    outcomes = [PipelineOutcome(offset + i, _mode(i)) for i in range(pipelines)]
    stalls: list[str] = []
    watcher = asyncio.create_task(_watch(outcomes, server, stalls))
    await asyncio.gather(
        *(
            drive_pipeline(
                server.base_url,
                seeded.recruiters[i % len(seeded.recruiters)][1],
                outcomes[i],
                poll_s,
            )
            for i in range(pipelines)
        )
    )
    watcher.cancel()
    return outcomes, time.perf_counter() - started, stalls


async def verify_api(
    base_url: str, seeded: Seeded, outcomes: list[PipelineOutcome]
) -> dict[str, Any]:
    problems: list[str] = []
    by_owner = {i: seeded.recruiters[i % len(seeded.recruiters)][1] for i in range(len(outcomes))}
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        for n, out in enumerate(outcomes):
            headers = by_owner[n]
            if not out.project_id:
                problems.append(f"pipeline {out.index}: no project")
                continue
            detail = (await client.get(f"/api/projects/{out.project_id}", headers=headers)).json()
            runs = [(r["stage"], r["attempt"], r["status"]) for r in detail.get("runs", [])]
            expected = [(s, 1, "confirmed") for s in STAGES]
            if detail.get("status") != "completed" or runs != expected:
                problems.append(f"project {out.project_id}: {detail.get('status')} {runs}")
            for run in detail.get("runs", []):
                view = (await client.get(f"/api/runs/{run['id']}", headers=headers)).json()
                if not view.get("decision") or view["decision"]["action"] != "confirm":
                    problems.append(f"run {run['id']}: decision {view.get('decision')}")
        audit = await client.get("/api/audit/verify", headers=seeded.admin)
    return {"problems": problems, "audit_verify": audit.json(), "audit_status": audit.status_code}


def verify_db(db_url: str, outcomes: list[PipelineOutcome]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from server.db.engine import make_engine, session_factory
    from server.db.models import AuditEvent, Decision, Project, Run

    project_ids = [o.project_id for o in outcomes if o.project_id]
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            runs = session.scalars(select(Run).where(Run.project_id.in_(project_ids))).all()
            run_ids = [r.id for r in runs]
            decisions = Counter(
                session.scalars(select(Decision.run_id).where(Decision.run_id.in_(run_ids)))
            )
            flows = {r.flow_id for r in runs if r.flow_id}
            gate_events = Counter(
                (row[0], row[1])
                for row in session.execute(
                    select(AuditEvent.run_id, AuditEvent.stage).where(
                        AuditEvent.kind == "human_decision", AuditEvent.run_id.in_(flows)
                    )
                )
            )
            per_project = Counter(r.project_id for r in runs)
            statuses = Counter(
                session.scalars(select(Project.status).where(Project.id.in_(project_ids)))
            )
            failed = sum(r.status == "failed" for r in runs)
            all_failed = session.scalar(
                select(func.count()).select_from(Run).where(Run.status == "failed")
            )
    finally:
        engine.dispose()
    expected_gates = {(f, s) for f in flows for s in STAGES}
    return {
        "projects": len(project_ids),
        "project_statuses": dict(statuses),
        "runs": len(runs),
        "runs_per_project": dict(Counter(per_project.values())),
        "runs_without_decision": sum(1 for r in run_ids if decisions[r] == 0),
        "runs_with_several_decisions": sum(1 for r in run_ids if decisions[r] > 1),
        "gates_decided_twice": sum(1 for v in gate_events.values() if v > 1),
        "gates_without_decision_event": len(expected_gates - set(gate_events)),
        "failed_runs": failed,
        "failed_runs_whole_database": all_failed,
    }


# --- read load -------------------------------------------------------------------------------


async def _client_loop(
    base_url: str,
    paths: list[str],
    headers: dict[str, str],
    warm_until: float,
    stop_at: float,
    latencies: list[float],
    statuses: Counter[int],
    offset: int,
) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        i = offset
        while True:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            answer = await client.get(path, headers=headers)
            done = time.perf_counter()
            if done >= stop_at:
                return
            if started >= warm_until:
                latencies.append((done - started) * 1000)
                statuses[answer.status_code] += 1


async def read_load(
    base_url: str,
    clients: int,
    duration: float,
    targets: list[tuple[list[str], dict[str, str]]],
) -> dict[str, Any]:
    """``clients`` clients for 1 s of warm-up and ``duration`` s measured; client ``k`` uses
    ``targets[k % len(targets)]`` (its paths, its headers)."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    now = time.perf_counter()
    warm_until, stop_at = now + 1.0, now + 1.0 + duration
    await asyncio.gather(
        *(
            _client_loop(
                base_url,
                targets[k % len(targets)][0],
                targets[k % len(targets)][1],
                warm_until,
                stop_at,
                latencies,
                statuses,
                offset=k * 7,
            )
            for k in range(clients)
        )
    )
    return {
        "clients": clients,
        "requests_per_s": round(len(latencies) / duration, 1),
        **percentiles(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


async def seed_projects(base_url: str, seeded: Seeded, per_recruiter: int) -> None:
    from domain.sample_data import SAMPLE_INTAKE_NOTES

    async def one(headers: dict[str, str], n: int, client: httpx.AsyncClient) -> None:
        body = {"title": f"Open role {n}", "intake_notes": SAMPLE_INTAKE_NOTES, "company": "Acme"}
        answer = await client.post("/api/projects", json=body, headers=headers)
        if answer.status_code != 201:
            raise RuntimeError(f"seeding projects: {answer.status_code} {answer.text}")

    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for _, headers in seeded.recruiters:
            await asyncio.gather(*(one(headers, n, client) for n in range(per_recruiter)))


# --- one database ----------------------------------------------------------------------------


def bench_database(
    name: str, db_url: str, source: str, args: argparse.Namespace, cache_dir: Path
) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"hirecrew-bench-load-{name}-"))
    if not db_url:
        db_url = f"sqlite:///{data_dir / 'hirecrew.db'}"
    print(f"== {name}: {source}", flush=True)
    seeded = seed_users(db_url, args.recruiters, args.pool_size)
    log = data_dir / "server.log"
    result: dict[str, Any] = {"database": source, "worker_threads": args.workers}
    try:
        with running_server(data_dir, db_url, cache_dir, args.workers, log) as server:
            base = server.base_url
            # Warm-up (not measured): the pool's search index, crewai's lazy imports, memory.
            started = time.perf_counter()
            warm, _, _ = asyncio.run(write_load(server, seeded, 1, args.poll, offset=10_000))
            result["warmup_pipeline_s"] = round(time.perf_counter() - started, 2)
            if warm[0].problems:
                raise RuntimeError(f"the warm-up pipeline failed: {warm[0].problems}")
            print(f"   warm-up pipeline {result['warmup_pipeline_s']} s", flush=True)

            outcomes, wall, stalls = asyncio.run(
                write_load(server, seeded, args.pipelines, args.poll)
            )
            statuses: Counter[int] = Counter()
            for o in outcomes:
                statuses.update(o.statuses)
            api_check = asyncio.run(verify_api(base, seeded, outcomes))
            problems = [p for o in outcomes for p in o.problems] + api_check["problems"]
            result["write"] = {
                "pipelines": args.pipelines,
                "recruiters": args.recruiters,
                "poll_interval_s": args.poll,
                "duplicate_same_decision_pipelines": sum(o.mode == "same" for o in outcomes),
                "conflicting_decision_pipelines": sum(o.mode == "conflict" for o in outcomes),
                "wall_s": round(wall, 2),
                "pipelines_per_min": round(args.pipelines / wall * 60, 2),
                "pipeline_wall": percentiles([o.wall_s * 1000 for o in outcomes]),
                "decision_post_latency": percentiles([m for o in outcomes for m in o.decision_ms]),
                "gate_turnaround": percentiles([m for o in outcomes for m in o.turnaround_ms]),
                "http_statuses": {str(k): v for k, v in sorted(statuses.items())},
                "audit_verify": api_check["audit_verify"],
                "stalls": stalls,
                "problems": problems[:50],
                "problem_count": len(problems),
            }
            print(
                f"   {args.pipelines} pipelines in {wall:.1f} s "
                f"({result['write']['pipelines_per_min']}/min), {len(problems)} problems",
                flush=True,
            )
            for problem in problems[:10]:
                print(f"   ! {problem}", flush=True)

            asyncio.run(seed_projects(base, seeded, args.projects))
            runs_by_owner: dict[int, list[str]] = {}
            for n, o in enumerate(outcomes):
                runs_by_owner.setdefault(n % len(seeded.recruiters), []).extend(o.run_ids)
            health: list[tuple[list[str], dict[str, str]]] = [(["/api/healthz"], {})]
            projects = [(["/api/projects"], h) for _, h in seeded.recruiters]
            runs = [
                ([f"/api/runs/{r}" for r in runs_by_owner.get(k, [])], h)
                for k, (_, h) in enumerate(seeded.recruiters)
                if runs_by_owner.get(k)
            ]
            read: dict[str, list[dict[str, Any]]] = {}
            for label, targets in (
                ("GET /api/healthz (baseline)", health),
                ("GET /api/projects", projects),
                ("GET /api/runs/{id}", runs),
            ):
                read[label] = []
                for c in args.clients:
                    row = asyncio.run(read_load(base, c, args.duration, targets))
                    read[label].append(row)
                    print(
                        f"   {label} C={c}: {row['requests_per_s']}/s p50 {row['p50_ms']} ms "
                        f"p99 {row['p99_ms']} ms",
                        flush=True,
                    )
            baseline = {row["clients"]: row for row in read["GET /api/healthz (baseline)"]}
            for rows in read.values():
                for row in rows:
                    base_row = baseline[row["clients"]]
                    row["p50_ratio_to_baseline"] = round(row["p50_ms"] / base_row["p50_ms"], 2)
                    row["p99_ratio_to_baseline"] = round(row["p99_ms"] / base_row["p99_ms"], 2)
                    row["throughput_ratio_to_baseline"] = round(
                        row["requests_per_s"] / base_row["requests_per_s"], 3
                    )
            result["read"] = {
                "projects_per_recruiter": args.projects
                + sum(1 for n in range(args.pipelines) if n % len(seeded.recruiters) == 0),
                "runs_read": sum(len(v) for v in runs_by_owner.values()),
                "duration_s_per_point": args.duration,
                "endpoints": read,
            }
        result["db_check"] = verify_db(db_url, outcomes)
        result["server_log"] = server_log_problems(log)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            result["data_dir"] = str(data_dir)
    return result


def machine() -> dict[str, Any]:
    import uvicorn

    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "uvicorn": uvicorn.__version__,
        "httpx": httpx.__version__,
        "loadavg_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "note": "server, PostgreSQL and load generator share these cores; the machine is "
        "shared, so compare within one database's run (the ratios), not across runs",
    }


def _verdict(result: dict[str, Any], pipelines: int) -> list[str]:
    """What went wrong on one database (empty: nothing)."""
    findings = []
    write, check = result["write"], result["db_check"]
    if write["stalls"]:
        findings.append(f"stalls: {write['stalls']}")
    if write["problem_count"]:
        findings.append(f"{write['problem_count']} problems while driving pipelines")
    if not write["audit_verify"].get("intact"):
        findings.append(f"audit chain broken: {write['audit_verify']}")
    if check["project_statuses"] != {"completed": pipelines}:
        findings.append(f"project statuses {check['project_statuses']}")
    for key in ("runs_without_decision", "runs_with_several_decisions", "gates_decided_twice"):
        if check[key]:
            findings.append(f"{key}: {check[key]}")
    if check["gates_without_decision_event"] or check["failed_runs_whole_database"]:
        findings.append(
            f"gates without a decision event {check['gates_without_decision_event']}, "
            f"failed runs {check['failed_runs_whole_database']}"
        )
    if any(k.startswith("5") for k in write["http_statuses"]):
        findings.append(f"5xx answers: {write['http_statuses']}")
    for rows in result["read"]["endpoints"].values():
        for row in rows:
            if set(row["statuses"]) != {"200"}:
                findings.append(f"read answers {row['statuses']} at C={row['clients']}")
    if result["server_log"]["counts"]:
        findings.append(f"server log: {result['server_log']['counts']}")
    return findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipelines", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="the server's worker threads")
    parser.add_argument("--recruiters", type=int, default=10)
    parser.add_argument("--projects", type=int, default=50, help="open projects per recruiter")
    parser.add_argument("--pool-size", type=int, default=240, help="candidates per recruiter")
    parser.add_argument(
        "--clients", type=lambda s: [int(c) for c in s.split(",")], default=[1, 8, 32]
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per read point")
    parser.add_argument("--poll", type=float, default=0.5, help="pipeline clients' poll interval")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get(POSTGRES_ENV))
    parser.add_argument("--keep", action="store_true", help="keep the data directories")
    parser.add_argument("--out", type=Path, default=RESULTS)
    # The server child (internal).
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return

    from config.settings import Settings, quiet_environment

    scratch = Path(tempfile.mkdtemp(prefix="hirecrew-bench-load-"))
    quiet_environment(Settings(data_dir=scratch))  # before anything imports crewai or mem0
    cache_dir = scratch / "cache"  # search indexes: shared by both databases' servers
    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    results: dict[str, Any] = {}
    try:
        for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
            if name == "sqlite":
                results[name] = bench_database(name, "", "SQLite (WAL)", args, cache_dir)
            elif name == "postgresql":
                with postgres_database(args.postgres_url) as (url, source):
                    results[name] = bench_database(name, url, source, args, cache_dir)
            else:
                raise SystemExit(f"unknown database {name!r}: sqlite or postgresql")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    findings = {name: _verdict(r, args.pipelines) for name, r in results.items()}
    report = {
        "benchmark": "server_load",
        "command": " ".join(["python bench/server_load.py", *sys.argv[1:]]),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "loadavg_1_5_15_at_start": load_at_start},
        "total_s": round(time.perf_counter() - started, 1),
        "findings": findings,
        "databases": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"total_s": report["total_s"], "findings": findings}, indent=2))


if __name__ == "__main__":
    # Run as a script, bench/ comes first on sys.path: look up modules from the repository
    # root instead (a bench module must never shadow a project package).
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))
    main()
