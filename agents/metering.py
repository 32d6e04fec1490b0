"""What a crew's models spend, in tokens and money, and the run's budget checked before every
model call.

Every crewai LLM (the offline engine included) counts its own tokens as replies come back
(``get_token_usage_summary``). A ``CrewMeter`` watches the LLMs of one crew: their spend since
the crew started, per model, priced with ``LLMSettings.prices``. ``CrewMeter.enforcing()``
installs a before-model-call hook, scoped to the crew's kickoff, that refuses the next call once
the run (what it spent before this crew plus what the crew spent so far) reached its token or
money budget: crewai aborts the kickoff (``HookAborted`` is never retried) and ``exceeded``
says why.

A model without a price has an unknown cost (``None``), never 0. The offline engine costs
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from config.providers import OFFLINE
from config.settings import LLMSettings, ModelPrice

_FREE = ModelPrice(prompt=0.0, completion=0.0)


def model_key(llm: Any) -> str:
    """The model string of a crewai LLM as settings name it (``openai/gpt-4o-mini``)."""
    model = str(getattr(llm, "model", "") or "")
    provider = str(getattr(llm, "provider", "") or "")
    if model == OFFLINE or not provider or model.startswith(f"{provider}/"):
        return model
    return f"{provider}/{model}"


def price_of(model: str, prices: dict[str, ModelPrice]) -> ModelPrice | None:
    """The configured price of ``model``; the offline engine is free; None when unknown."""
    if model in prices:
        return prices[model]
    return _FREE if model == OFFLINE else None


def cost_usd(price: ModelPrice | None, prompt_tokens: int, completion_tokens: int) -> float | None:
    """US dollars for the tokens at ``price`` (per million); None when the price is unknown."""
    if price is None:
        return None
    return (prompt_tokens * price.prompt + completion_tokens * price.completion) / 1_000_000


@dataclass
class ModelSpend:
    """What one model spent: tokens, calls and their cost (None: no price for the model)."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    calls: int = 0
    cost_usd: float | None = 0.0


def _counts(llm: Any) -> tuple[int, int, int, int]:
    summary = llm.get_token_usage_summary()
    return (
        int(summary.prompt_tokens or 0),
        int(summary.completion_tokens or 0),
        int(summary.total_tokens or 0),
        int(summary.successful_requests or 0),
    )


class CrewMeter:
    """The spend of one crew's LLMs since it started, and the run's budget before each call.

    Args:
        llms: the crew's LLM objects (every agent's and the manager's).
        settings: the prices and budgets (``LLMSettings``).
        run_tokens: tokens the run spent before this crew.
        run_cost_usd: dollars the run spent before this crew; None when unknown (a model
            without a price was used).
    """

    def __init__(
        self,
        llms: Iterable[Any],
        *,
        settings: LLMSettings,
        run_tokens: int = 0,
        run_cost_usd: float | None = 0.0,
    ) -> None:
        self.settings = settings
        self.run_tokens = run_tokens
        self.run_cost_usd = run_cost_usd
        self.exceeded: str | None = None
        self._start: dict[int, tuple[Any, tuple[int, int, int, int]]] = {}
        for llm in llms:
            self.watch(llm)

    def watch(self, llm: Any) -> None:
        """Count ``llm``'s spend from now on (an LLM already watched keeps its start)."""
        if llm is not None and hasattr(llm, "get_token_usage_summary"):
            self._start.setdefault(id(llm), (llm, _counts(llm)))

    def spend(self) -> list[ModelSpend]:
        """What each model spent since the crew started, priced."""
        by_model: dict[str, ModelSpend] = {}
        for llm, start in self._start.values():
            now = _counts(llm)
            delta = [a - b for a, b in zip(now, start, strict=True)]
            if not any(delta):
                continue
            key = model_key(llm)
            row = by_model.setdefault(key, ModelSpend(model=key))
            row.prompt_tokens += delta[0]
            row.completion_tokens += delta[1]
            row.total_tokens += delta[2]
            row.calls += delta[3]
        for row in by_model.values():
            row.cost_usd = cost_usd(
                price_of(row.model, self.settings.prices), row.prompt_tokens, row.completion_tokens
            )
        return sorted(by_model.values(), key=lambda r: r.model)

    def run_totals(self) -> tuple[int, float | None]:
        """The run's tokens and dollars so far (before this crew plus this crew's)."""
        tokens, cost = self.run_tokens, self.run_cost_usd
        for row in self.spend():
            tokens += row.total_tokens
            cost = None if cost is None or row.cost_usd is None else cost + row.cost_usd
        return tokens, cost

    def over_budget(self) -> str | None:
        """Why the run may make no further model call, or None."""
        return budget_problem(self.settings, *self.run_totals())

    def before_call(self, context: Any) -> None:
        """The before-model-call hook: refuses the call once the run is over budget."""
        llm = getattr(context, "llm", None)
        self.watch(llm)
        problem = self.over_budget()
        if problem is None and self.settings.budget_usd is not None and llm is not None:
            model = model_key(llm)
            if price_of(model, self.settings.prices) is None:
                problem = (
                    f"model '{model}' has no price, so the run's budget of "
                    f"${self.settings.budget_usd:g} (HIRECREW_LLM__BUDGET_USD) cannot be kept: "
                    "set HIRECREW_LLM__PRICES"
                )
        if problem is None:
            return
        self.exceeded = f"{problem}: stopped before the next model call"
        from crewai.hooks.dispatch import HookAborted

        raise HookAborted(self.exceeded, source="hirecrew budget")

    @contextmanager
    def enforcing(self) -> Iterator[CrewMeter]:
        """Check the budget before every model call made inside this block (this thread and
        what crewai runs on its behalf); without a budget, nothing is installed."""
        if self.settings.budget_tokens is None and self.settings.budget_usd is None:
            yield self
            return
        from crewai.hooks.dispatch import InterceptionPoint, scoped_hooks

        with scoped_hooks({InterceptionPoint.PRE_MODEL_CALL: [self.before_call]}):
            yield self


def budget_problem(settings: LLMSettings, tokens: int, cost: float | None) -> str | None:
    """Why a run that spent ``tokens`` and ``cost`` dollars may spend no more, or None."""
    if settings.budget_tokens is not None and tokens >= settings.budget_tokens:
        return (
            f"the run spent {tokens:,} tokens, its budget is {settings.budget_tokens:,} "
            "(HIRECREW_LLM__BUDGET_TOKENS)"
        )
    if settings.budget_usd is not None:
        if cost is None:
            return (
                "the run used a model without a price, so its cost is unknown and its budget "
                f"of ${settings.budget_usd:g} (HIRECREW_LLM__BUDGET_USD) cannot be kept: set "
                "HIRECREW_LLM__PRICES for every model"
            )
        if cost >= settings.budget_usd:
            return (
                f"the run spent ${cost:.4f}, its budget is ${settings.budget_usd:g} "
                "(HIRECREW_LLM__BUDGET_USD)"
            )
    return None


def crew_llms(crew: Any) -> list[Any]:
    """Every LLM object of a crew: its agents' and its manager's."""
    agents = [*getattr(crew, "agents", []), getattr(crew, "manager_agent", None)]
    return [a.llm for a in agents if a is not None and getattr(a, "llm", None) is not None]
