"""A run's budget, in tokens or dollars, stops a crew at its next model call (not only between
crews), and the run ends stopped at that stage's gate with the reason, its spend counted with
its cost."""

from __future__ import annotations

from typing import Any

from config.settings import ModelPrice, Settings
from tests.crews.conftest import run


def _with(settings: Settings, **llm: Any) -> Settings:
    return settings.model_copy(update={"llm": settings.llm.model_copy(update=llm)})


def _start(runtime: Any, project: Any) -> Any:
    from crews.runner import start_run

    return run(start_run(runtime, project))


def _usage_records(runtime: Any, run_id: str) -> list[dict[str, Any]]:
    return [r for r in runtime.audit.records(run_id=run_id) if r["kind"] == "model_usage"]


def test_a_token_budget_stops_the_crew_at_its_next_model_call(
    settings: Settings, project: Any
) -> None:
    from crews.runner import open_runtime

    # The intake crew alone makes several calls of a few thousand tokens each on the offline
    # engine: 12,000 tokens run out inside the first crew, not between crews.
    runtime = open_runtime(_with(settings, budget_tokens=12_000))
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert state.status == "stopped" and intake.status == "stopped"
    assert intake.error and "budget is 12,000" in intake.error
    assert "stopped before the next model call" in intake.error
    usage = _usage_records(runtime, state.id)
    assert len(usage) == 1 and usage[0]["crew"] == "intake"  # stopped inside the first crew
    assert 2 <= intake.usage.calls < 14  # a whole intake attempt makes 14 calls offline
    # It stopped at the first call past the budget: before it, the run was under budget.
    assert intake.usage.total_tokens >= 12_000
    last = [r for r in runtime.audit.records(run_id=state.id) if r.get("usage")]
    assert last and state.usage.total_tokens == intake.usage.total_tokens
    assert intake.total_usage.total_tokens == intake.usage.total_tokens
    stopped = [r for r in runtime.audit.records(run_id=state.id) if r["kind"] == "stage_stopped"]
    assert stopped and "budget" in stopped[-1]["reason"]


def test_a_money_budget_stops_the_crew_when_its_priced_calls_reach_it(
    settings: Settings, project: Any
) -> None:
    from crews.runner import open_runtime

    # The offline engine is free unless priced: priced here at $100 per million tokens, so a
    # call of a few thousand tokens costs a few tenths of a dollar.
    priced = _with(
        settings,
        prices={"offline": ModelPrice(prompt=100.0, completion=100.0)},
        budget_usd=0.5,
    )
    runtime = open_runtime(priced)
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert intake.status == "stopped" and state.status == "stopped"
    assert intake.error and "$0.5" in intake.error and "HIRECREW_LLM__BUDGET_USD" in intake.error
    cost = intake.usage.cost_usd
    assert cost is not None and cost >= 0.5
    assert cost == round(intake.usage.total_tokens * 100 / 1e6, 10)
    usage = _usage_records(runtime, state.id)
    assert usage[0]["by_model"][0]["model"] == "offline"
    assert usage[0]["by_model"][0]["cost_usd"] == cost
    assert usage[0]["run_usage"]["cost_usd"] == state.usage.cost_usd == cost


def test_cost_is_recorded_per_attempt_per_stage_and_per_run(
    settings: Settings, project: Any
) -> None:
    from crews.runner import open_runtime

    runtime = open_runtime(settings)
    state = _start(runtime, project)
    intake = state.stages["intake"]
    assert intake.status == "awaiting_decision"
    # The offline engine is free: a known cost of 0, not an unknown one.
    assert intake.usage.cost_usd == 0.0 and intake.usage.unpriced_models == []
    assert intake.usage.calls > 0 and intake.total_usage == intake.usage
    records = _usage_records(runtime, state.id)
    crews = [r["crew"] for r in records]
    assert "intake" in crews and "review" in crews  # the stage crew and each review
    assert sum(r["usage"]["total_tokens"] for r in records) == state.usage.total_tokens
    assert records[-1]["run_usage"]["total_tokens"] == state.usage.total_tokens
    assert records[-1]["attempt_usage"]["total_tokens"] == intake.usage.total_tokens


def test_usage_saved_before_costs_were_recorded_has_an_unknown_cost() -> None:
    from crews.flow import StageRecord, Usage

    old = StageRecord.model_validate({"usage": {"prompt_tokens": 10, "total_tokens": 12}})
    assert old.usage.cost_usd is None  # spent at a price nobody recorded
    assert Usage.model_validate({}).cost_usd == 0.0  # nothing spent: nothing owed
    total = Usage(total_tokens=5, cost_usd=0.25)
    total.add(Usage(total_tokens=5, cost_usd=None, unpriced_models=["openai/x"]))
    assert total.cost_usd is None and total.unpriced_models == ["openai/x"]
    total.add(Usage(total_tokens=1, cost_usd=1.0))
    assert total.cost_usd is None and total.total_tokens == 11


def test_a_money_budget_counts_usage_from_before_costs_were_recorded_as_free() -> None:
    """A run paused at a gate across the upgrade has usage with no recorded cost: a money
    budget set with the upgrade must not stop it for that; a model without a price still
    makes the cost unknown."""
    from agents.metering import budget_problem
    from config.settings import LLMSettings
    from crews.flow import Usage

    budget = LLMSettings(budget_usd=1.0)
    old = Usage.model_validate({"prompt_tokens": 900, "total_tokens": 1000, "calls": 3})
    assert old.cost_usd is None and old.budget_cost_usd == 0.0
    assert budget_problem(budget, old.total_tokens, old.budget_cost_usd) is None
    old.add(Usage(total_tokens=10, cost_usd=0.4))
    assert old.cost_usd is None and old.budget_cost_usd == 0.4
    old.add(Usage(total_tokens=10, cost_usd=0.7))
    assert budget_problem(budget, old.total_tokens, old.budget_cost_usd) is not None
    old.add(Usage(total_tokens=5, cost_usd=None, unpriced_models=["openai/x"]))
    assert old.budget_cost_usd is None
