"""The offline engine as crewai sees it: protocol, structured output, events, limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from agents.errors import OfflineRoleError, UnknownProviderError
from agents.llms import build_llm, resolve_model
from agents.offline import OfflineLLM
from config.settings import LLMSettings


class Point(BaseModel):
    x: int
    y: int


def _llm() -> OfflineLLM:
    return OfflineLLM(model="offline", role_key="test")


def test_response_model_answer_validates() -> None:
    text = 'Final answer was {"x": 1} then {"x": 2, "y": 3} and noise'
    answer = _llm().call([{"role": "user", "content": text}], response_model=Point)
    assert Point.model_validate_json(answer) == Point(x=2, y=3)


def test_response_model_without_a_matching_answer_is_an_error() -> None:
    with pytest.raises(OfflineRoleError, match="validates as Point"):
        _llm().call("nothing structured here", response_model=Point)


_WEATHER = (
    "Tool Name: fetch_weather\nTool Arguments: "
    '{"properties": {"city": {"type": "string"}, "units": {"type": "string"}}, '
    '"required": ["city"], "type": "object"}\nTool Description: The weather in a city.'
)


def test_a_plugin_tool_argument_no_input_supplies_is_an_actionable_error() -> None:
    messages = [
        {"role": "system", "content": _WEATHER},
        {"role": "user", "content": "What is the weather?"},
    ]
    with pytest.raises(OfflineRoleError, match=r"'fetch_weather' needs city.*real model"):
        _llm().call(messages)


def test_plugin_tools_are_called_with_the_crews_inputs_then_answered_with() -> None:
    from agents.offline import OfflineLLM

    llm = OfflineLLM(model="offline", role_key="w", inputs={"city": "Berlin", "other": "x"})
    messages: list[dict[str, str]] = [
        {"role": "system", "content": _WEATHER},
        {"role": "user", "content": "What is the weather?"},
    ]
    first = llm.call(messages)
    assert "Action: fetch_weather" in first
    # Only the tool's own arguments, by name; "units" has no input and keeps its default.
    assert json.loads(first.split("Action Input:", 1)[1]) == {"city": "Berlin"}
    messages.append({"role": "assistant", "content": first + '\nObservation: {"temp_c": 4}'})
    final = llm.call(messages)
    assert final.split("Final Answer:", 1)[1].strip() == '{"temp_c": 4}'


def test_first_step_of_a_manager_is_a_delegation_to_the_matching_coworker() -> None:
    system = (
        "Tool Name: delegate_work_to_coworker\nTool Description: Delegate a specific task to "
        "one of the following coworkers: Resume Screener, Candidate Sourcer\n"
    )
    task = (
        "Current Task: Find candidates with the candidate sourcer tools\n\n"
        "This is the expected criteria for your final answer: x"
    )
    reply = _llm().call([{"role": "system", "content": system}, {"role": "user", "content": task}])
    assert reply.startswith("Thought:")
    action_input = reply.split("Action Input:", 1)[1]
    payload = json.loads(action_input)
    assert payload["coworker"] == "Candidate Sourcer"
    assert payload["task"] == "Find candidates with the candidate sourcer tools"


def test_the_engine_applies_its_stop_words() -> None:
    system = (
        "Tool Name: delegate_work_to_coworker\nTool Description: Delegate a specific task to "
        "one of the following coworkers: Resume Screener\n"
    )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": "Task"}]
    full = OfflineLLM(model="offline").call(messages)
    cut = OfflineLLM(model="offline", stop=["\nAction Input:"]).call(messages)
    assert "Action Input:" in full
    assert cut == full.split("\nAction Input:")[0]


def test_llm_call_events_are_emitted() -> None:
    from crewai.events import crewai_event_bus
    from crewai.events.types.llm_events import LLMCallCompletedEvent, LLMCallStartedEvent

    seen: list[str] = []
    with crewai_event_bus.scoped_handlers():

        @crewai_event_bus.on(LLMCallStartedEvent)
        def started(source: Any, event: Any) -> None:
            seen.append("started")

        @crewai_event_bus.on(LLMCallCompletedEvent)
        def completed(source: Any, event: Any) -> None:
            seen.append("completed")

        _llm().call('{"x": 1, "y": 2}', response_model=Point)
        crewai_event_bus.flush()
    assert seen == ["started", "completed"]


def test_reports_a_large_context_window_and_counts_tokens_quietly() -> None:
    llm = _llm()
    assert llm.get_context_window_size() >= 200_000
    assert llm.get_input_tokens_count([{"role": "user", "content": "x" * 400}]) == 100
    assert not llm.supports_function_calling()


def test_model_resolution_order() -> None:
    settings = LLMSettings(default="ollama/llama3.1", roles={"screener": "openai/gpt-4o-mini"})
    assert resolve_model("screener", "offline", settings) == "openai/gpt-4o-mini"
    assert resolve_model("sourcer", "offline", settings) == "ollama/llama3.1"
    assert resolve_model("sourcer", "offline", LLMSettings()) == "offline"


def test_build_llm_offline_and_unknown_provider() -> None:
    assert isinstance(build_llm("sourcer", "offline", LLMSettings()), OfflineLLM)
    with pytest.raises(UnknownProviderError, match="openai"):
        build_llm("sourcer", "nosuch/model", LLMSettings())
