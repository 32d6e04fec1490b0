"""Prices, cost arithmetic and budgets: settings that are checked at start-up, costs that are
null (never 0) without a price, and a meter that refuses the next model call past a budget."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from agents.metering import (
    CrewMeter,
    budget_problem,
    cost_usd,
    crew_llms,
    model_key,
    price_of,
)
from config.errors import ConfigError
from config.settings import LLMSettings, ModelPrice, get_settings

MINI = "openai/gpt-4o-mini"
PRICES = {MINI: ModelPrice(prompt=0.15, completion=0.60)}


def _openai(name: str = "gpt-4o-mini") -> Any:
    from crewai import LLM

    return LLM(model=f"openai/{name}", api_key="k", base_url="http://127.0.0.1:9/v1")


def _offline() -> Any:
    from agents.offline import OfflineLLM

    return OfflineLLM(model="offline", role_key="jd_writer")


def _spend(llm: Any, prompt: int, completion: int) -> None:
    """What a provider's reply does to the LLM's counters (crewai's own bookkeeping)."""
    llm._track_token_usage_internal(
        {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    )


def test_cost_is_per_million_tokens_and_unknown_without_a_price() -> None:
    price = PRICES[MINI]
    assert cost_usd(price, 1_000_000, 0) == pytest.approx(0.15)
    assert cost_usd(price, 2_000, 1_000) == pytest.approx((2_000 * 0.15 + 1_000 * 0.60) / 1e6)
    assert cost_usd(None, 10, 10) is None
    assert price_of(MINI, PRICES) is price
    assert price_of("openai/gpt-4o", PRICES) is None
    free = price_of("offline", {})
    assert free is not None and cost_usd(free, 10**6, 10**6) == 0.0


def test_prices_are_validated_and_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="gpt-4o"):
        LLMSettings(prices={"gpt-4o": {"prompt": 1, "completion": 1}})  # no provider
    with pytest.raises(ValidationError):
        LLMSettings(prices={MINI: {"prompt": -1, "completion": 1}})
    with pytest.raises(ValidationError):
        LLMSettings(prices={MINI: {"prompt": 1}})  # both prices or none
    with pytest.raises(ValidationError):
        LLMSettings(budget_usd=0)
    # A money budget needs a price for every model the settings name.
    with pytest.raises(ValidationError, match=r"openai/gpt-4o.*HIRECREW_LLM__PRICES"):
        LLMSettings(default="openai/gpt-4o", budget_usd=1.0, prices=PRICES)
    LLMSettings(default=MINI, roles={"screener": "offline"}, budget_usd=1.0, prices=PRICES)

    monkeypatch.setenv(
        "HIRECREW_LLM__PRICES", '{"openai/gpt-4o-mini": {"prompt": 0.15, "completion": 0.6}}'
    )
    monkeypatch.setenv("HIRECREW_LLM__BUDGET_USD", "2.5")
    get_settings.cache_clear()
    try:
        llm = get_settings().llm
        assert llm.prices[MINI].completion == 0.6 and llm.budget_usd == 2.5
        monkeypatch.setenv("HIRECREW_LLM__BUDGET_USD", "-1")
        get_settings.cache_clear()
        with pytest.raises(ConfigError, match="HIRECREW_LLM__BUDGET_USD"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_a_meter_counts_each_models_spend_since_the_crew_started_and_prices_it() -> None:
    priced, unpriced, offline = _openai(), _openai("gpt-4o"), _offline()
    _spend(priced, 500, 50)  # before the crew: not this crew's
    meter = CrewMeter(
        [priced, unpriced, offline], settings=LLMSettings(prices=PRICES), run_tokens=1_000
    )
    _spend(priced, 2_000, 1_000)
    _spend(priced, 1_000, 0)
    _spend(offline, 300, 30)
    rows = {row.model: row for row in meter.spend()}
    assert set(rows) == {MINI, "offline"}  # a model that made no call spent nothing
    assert (rows[MINI].prompt_tokens, rows[MINI].completion_tokens, rows[MINI].calls) == (
        3_000,
        1_000,
        2,
    )
    assert rows[MINI].cost_usd == pytest.approx((3_000 * 0.15 + 1_000 * 0.60) / 1e6)
    assert rows["offline"].cost_usd == 0.0
    _spend(unpriced, 10, 10)
    rows = {row.model: row for row in meter.spend()}
    assert rows["openai/gpt-4o"].cost_usd is None
    tokens, cost = meter.run_totals()
    assert tokens == 1_000 + 4_000 + 330 + 20 and cost is None  # unknown, not 0
    assert model_key(priced) == MINI and model_key(offline) == "offline"


def test_budgets_name_what_was_spent_and_the_setting() -> None:
    tokens = LLMSettings(budget_tokens=100)
    assert budget_problem(tokens, 99, None) is None
    problem = budget_problem(tokens, 100, 0.0)
    assert problem and "100 tokens" in problem and "HIRECREW_LLM__BUDGET_TOKENS" in problem
    money = LLMSettings(budget_usd=0.01)
    assert budget_problem(money, 10**9, 0.0099) is None
    problem = budget_problem(money, 0, 0.01)
    assert problem and "$0.0100" in problem and "HIRECREW_LLM__BUDGET_USD" in problem
    unknown = budget_problem(money, 0, None)
    assert unknown and "unknown" in unknown and "HIRECREW_LLM__PRICES" in unknown
    assert budget_problem(LLMSettings(), 10**12, None) is None  # no budget: never


def test_the_meter_refuses_the_next_call_once_the_budget_is_spent() -> None:
    from crewai.hooks.dispatch import HookAborted
    from crewai.hooks.llm_hooks import LLMCallHookContext

    llm = _openai()
    meter = CrewMeter([llm], settings=LLMSettings(budget_tokens=1_000), run_tokens=400)
    context = LLMCallHookContext(llm=llm, messages=[])
    meter.before_call(context)  # 400 of 1,000: go on
    _spend(llm, 500, 99)
    meter.before_call(context)  # 999
    assert meter.exceeded is None
    _spend(llm, 1, 0)
    with pytest.raises(HookAborted, match="1,000 tokens"):
        meter.before_call(context)
    assert meter.exceeded and "stopped before the next model call" in meter.exceeded


def test_a_money_budget_refuses_a_model_without_a_price_before_it_spends() -> None:
    from crewai.hooks.dispatch import HookAborted
    from crewai.hooks.llm_hooks import LLMCallHookContext

    settings = LLMSettings(budget_usd=1.0, prices=PRICES)
    unpriced = _openai("gpt-4o")
    meter = CrewMeter([], settings=settings)
    with pytest.raises(HookAborted, match="'openai/gpt-4o' has no price"):
        meter.before_call(LLMCallHookContext(llm=unpriced, messages=[]))
    priced = _openai()
    meter = CrewMeter([priced], settings=settings)
    meter.before_call(LLMCallHookContext(llm=priced, messages=[]))
    _spend(priced, 1_000_000, 1_500_000)  # $0.15 + $0.90
    with pytest.raises(HookAborted, match=r"\$1.0500"):
        meter.before_call(LLMCallHookContext(llm=priced, messages=[]))


def test_crew_llms_are_every_agents_and_the_managers() -> None:
    from crewai import Agent, Crew, Process, Task

    worker = Agent(role="w", goal="g", backstory="b", llm=_offline())
    manager = Agent(role="m", goal="g", backstory="b", llm=_openai(), allow_delegation=True)
    task = Task(description="d", expected_output="e")
    crew = Crew(agents=[worker], tasks=[task], process=Process.hierarchical, manager_agent=manager)
    assert crew_llms(crew) == [worker.llm, manager.llm]
