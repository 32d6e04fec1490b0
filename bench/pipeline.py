"""Benchmark: the offline pipeline's wall time and crewai's overhead per stage.

Baseline, measured in the same run: a bare crewai crew with one scripted agent answering at
once. Every figure is also reported as a ratio to that baseline, since these machines are
shared and noisy. Writes bench/results/pipeline.json.

    make bench            # or: .venv/bin/python bench/pipeline.py --repeat 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from config.settings import Settings, quiet_environment

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def _domain_only_ms(project: Any, repeat: int) -> dict[str, float]:
    """The same domain work each stage's tools and checks do, called directly (no crewai)."""
    from crews.project import load_pool
    from domain.artifacts import OutreachPlan, SourcingReport
    from domain.embeddings import shared_embedder
    from domain.hybrid_search import HybridIndex
    from domain.insights import pool_insights
    from domain.intake import parse_intake_notes
    from domain.jd import compose_job_description
    from domain.outreach import draft_outreach_message
    from domain.review import run_checks
    from domain.revision import revise_job_description
    from domain.scheduling import assign_slots, build_invite
    from domain.screening import screen_pool
    from domain.search import build_search_plan

    pool = load_pool(project.pool_path)
    resumes = {c.id: c.resume_text for c in pool}
    by_id = {c.id: c for c in pool}
    brief = parse_intake_notes(project.intake_notes)
    job = revise_job_description(
        compose_job_description(brief, company=project.company),
        run_checks("intake", compose_job_description(brief, company=project.company)).findings,
    )

    def intake() -> None:
        draft = compose_job_description(parse_intake_notes(project.intake_notes))
        first = run_checks("intake", draft)
        run_checks("intake", revise_job_description(draft, first.findings))

    # The pipeline keeps the pool's index between runs; so does this baseline (synced once).
    index = HybridIndex(shared_embedder())
    index.sync(list(pool))

    def sourcing() -> SourcingReport:
        plan = build_search_plan(job)
        report = SourcingReport(
            plan=plan,
            results=index.search(plan, limit=25),
            insights=pool_insights(list(pool), job),
        )
        run_checks("sourcing", report, resumes=resumes)
        return report

    report = sourcing()
    chosen = [by_id[c.candidate_id] for c in report.results.candidates]

    def screening() -> Any:
        shortlist = screen_pool(chosen, job)
        run_checks("screening", shortlist, resumes=resumes)
        return shortlist

    shortlist = screening()

    def outreach() -> None:
        ids = [c.candidate_id for c in shortlist.candidates[:3]]
        slots = assign_slots(
            ids,
            project.interviewers,
            start=project.schedule_start,
            days=10,
            duration=timedelta(minutes=60),
        )
        plan = OutreachPlan(
            slots=slots,
            messages=[
                draft_outreach_message(
                    candidate_id=s.candidate_id,
                    candidate_name=by_id[s.candidate_id].name,
                    candidate_email=by_id[s.candidate_id].email or "",
                    job_title=job.title,
                    company=project.company,
                    recruiter_name=project.recruiter.name,
                    highlights=[],
                    slots=[s],
                )
                for s in slots
            ],
            invites=[
                build_invite(
                    s,
                    title=job.title,
                    organizer_email=project.recruiter.email,
                    attendee_emails=[by_id[s.candidate_id].email or ""],
                    dtstamp=project.schedule_start,
                )
                for s in slots
            ],
        )
        run_checks("outreach", plan, resumes=resumes)

    work = {"intake": intake, "sourcing": sourcing, "screening": screening, "outreach": outreach}
    return {name: _median_ms(fn, repeat) for name, fn in work.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="hirecrew-bench-"))
    settings = Settings(data_dir=data_dir)
    quiet_environment(settings)

    from crewai import Agent, Crew, Task
    from crewai.llms.base_llm import BaseLLM

    from crews.decisions import GateDecision
    from crews.demo import demo_project
    from crews.flow import RunStatus
    from crews.runner import decide, open_runtime, start_run

    class Scripted(BaseLLM):
        def call(self, messages: Any, *a: Any, **k: Any) -> str:
            return "Thought: done\nFinal Answer: ok"

        def get_context_window_size(self) -> int:
            return 100_000

        def get_input_tokens_count(self, *a: Any, **k: Any) -> int:
            return 1

    def bare_crew() -> None:
        agent = Agent(role="Echo", goal="echo", backstory="b", llm=Scripted(model="scripted"))
        task = Task(description="say ok", expected_output="ok", agent=agent)
        Crew(agents=[agent], tasks=[task], verbose=False).kickoff()

    bare_crew()  # warm-up: first kickoff pays lazy imports
    baseline_ms = _median_ms(bare_crew, args.repeat * 4)

    runtime = open_runtime(settings)
    project = demo_project(data_dir, now=datetime(2026, 11, 25, tzinfo=UTC))
    stage_ms: dict[str, list[float]] = {}
    pipeline_ms: list[float] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        state = asyncio.run(start_run(runtime, project))
        marks = [time.perf_counter()]
        stage_ms.setdefault(state.current_stage, []).append((marks[-1] - start) * 1000)
        while state.status == RunStatus.AWAITING_DECISION:
            before = time.perf_counter()
            state = asyncio.run(decide(runtime, state.id, GateDecision(decision="confirm")))
            if state.status == RunStatus.AWAITING_DECISION:
                stage_ms.setdefault(state.current_stage, []).append(
                    (time.perf_counter() - before) * 1000
                )
        pipeline_ms.append((time.perf_counter() - start) * 1000)
        if state.status != RunStatus.COMPLETED:
            raise SystemExit(f"pipeline did not complete: {state.status}")

    domain_ms = _domain_only_ms(project, args.repeat)
    # Each stage runs two crews (the hierarchical stage crew and the review crew); the
    # baseline is one single-agent crew, so ratio/3 is roughly "agent executions vs one".
    stages = {
        name: {
            "median_ms": round(statistics.median(ms), 2),
            "ratio_to_baseline": round(statistics.median(ms) / baseline_ms, 2),
            "domain_only_ms": domain_ms[name],
            "framework_overhead_ms": round(statistics.median(ms) - domain_ms[name], 2),
            "overhead_ratio_to_baseline": round(
                (statistics.median(ms) - domain_ms[name]) / baseline_ms, 2
            ),
        }
        for name, ms in stage_ms.items()
    }
    result = {
        "measured_at": datetime.now(UTC).isoformat(),
        "repeat": args.repeat,
        "baseline_bare_crew_ms": baseline_ms,
        "pipeline_median_ms": round(statistics.median(pipeline_ms), 2),
        "pipeline_ratio_to_baseline": round(statistics.median(pipeline_ms) / baseline_ms, 2),
        "stages": stages,
        "note": "stage time = stage crew (manager + worker) + review crew + gate persistence",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
