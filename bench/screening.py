"""Benchmark: throughput of the deterministic screening pass, with and without the blind view.

Candidates are the real resumes of ../shared/data/resumes/resumes.json (the first N, default
1,000), screened against a realistic data-engineering job with five must-haves and three
nice-to-haves. Reported in candidates per second (median of ``--repeat`` runs):

- ``blind``: the blind view (redaction) and the evidence pass, what ``screen_pool`` does;
- ``not_blind``: the evidence pass alone (``blind=False``), the baseline measured in the same run;
- ``redaction_only``: the blind view alone;
- ``insights``: ``pool_insights`` over the same candidates.

The LLM screener sees only the top ``limit`` of the ranked list (``screen_pool(..., limit=N)``),
so the number of model calls per requisition does not grow with the pool: only this pass does.
Writes bench/results/screening.json.

    .venv/bin/python bench/screening.py            # or: make bench BENCH=screening
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.artifacts import JobDescription
from domain.entities import Candidate
from domain.insights import pool_insights
from domain.redaction import blind_view
from domain.screening import requirement_from_text, screen_pool

ROOT = Path(__file__).resolve().parents[1]
RESUMES = ROOT.parent / "shared" / "data" / "resumes" / "resumes.json"
RESULTS = ROOT / "bench" / "results" / "screening.json"

JOB = JobDescription(
    title="Senior Data Engineer",
    location="Remote",
    summary=(
        "Design, build and run the batch and streaming pipelines behind our reporting and "
        "analytics products, with analysts and product teams."
    ),
    must_haves=[
        requirement_from_text(text, "must_have")
        for text in (
            "5+ years of SQL",
            "Python for data pipelines",
            "ETL development",
            "Data warehousing on Snowflake or Oracle",
            "Data analysis and reporting for business stakeholders",
        )
    ],
    nice_to_haves=[
        requirement_from_text(text, "nice_to_have")
        for text in ("Airflow or Spark", "Tableau or Power BI", "Agile teams")
    ],
    text=(
        "Senior Data Engineer (remote). You design, build and run batch and streaming pipelines "
        "(SQL, Python, ETL) feeding our warehouse and the reports our business teams rely on."
    ),
)


def _median_s(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=20, help="what the LLM screener would see")
    args = parser.parse_args()
    if not RESUMES.is_file():
        raise SystemExit(f"{RESUMES} not found: the shared resume data is needed")

    records = json.loads(RESUMES.read_text(encoding="utf-8"))[: args.candidates]
    pool = [Candidate(id=r["id"], resume_text=r["text"], source=r.get("file")) for r in records]
    n = len(pool)
    screen_pool(pool[:20], JOB)  # warm-up: compiles the skill patterns once

    blind_s = _median_s(lambda: screen_pool(pool, JOB, limit=args.limit), args.repeat)
    plain_s = _median_s(lambda: screen_pool(pool, JOB, limit=args.limit, blind=False), args.repeat)
    redact_s = _median_s(lambda: [blind_view(c) for c in pool], args.repeat)
    insights_s = _median_s(lambda: pool_insights(pool, JOB), args.repeat)

    shortlist = screen_pool(pool, JOB, limit=args.limit)
    verdicts: dict[str, int] = {}
    for candidate in screen_pool(pool, JOB).candidates:
        for assessment in candidate.assessments:
            verdicts[assessment.status.value] = verdicts.get(assessment.status.value, 0) + 1

    result = {
        "measured_at": datetime.now(UTC).isoformat(),
        "command": f"python bench/screening.py --candidates {n} --repeat {args.repeat}",
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "candidates": n,
        "criteria": len(JOB.must_haves) + len(JOB.nice_to_haves),
        "repeat": args.repeat,
        "blind": {
            "seconds": round(blind_s, 3),
            "candidates_per_second": round(n / blind_s, 1),
        },
        "not_blind": {
            "seconds": round(plain_s, 3),
            "candidates_per_second": round(n / plain_s, 1),
        },
        "redaction_only": {
            "seconds": round(redact_s, 3),
            "candidates_per_second": round(n / redact_s, 1),
        },
        "insights": {
            "seconds": round(insights_s, 3),
            "candidates_per_second": round(n / insights_s, 1),
        },
        "blind_view_cost_ratio": round(blind_s / plain_s, 2),
        "verdict_counts": dict(sorted(verdicts.items())),
        "llm_sees": {
            "limit": args.limit,
            "shortlisted": len(shortlist.candidates),
            "screened": shortlist.pool_size,
            "note": (
                "the deterministic pass screens the whole pool; only the top `limit` go to the "
                "LLM screener, so model calls per requisition stay constant as the pool grows"
            ),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
