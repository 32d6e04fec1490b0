"""Parsing crewai's ReAct transcript, as the offline engine reads it."""

from __future__ import annotations

from agents.conversation import Conversation, json_objects
from agents.offline_roles import has_review_findings

SYSTEM = (
    "You are Hiring Manager.\nTool Name: delegate_work_to_coworker\nTool Arguments: {}\n"
    "Tool Description: Delegate a specific task to one of the following coworkers: "
    "Job Description Writer, Candidate Sourcer\nThe input to this tool...\n"
    "Tool Name: ask_question_to_coworker\n"
)


def test_parse_tools_coworkers_and_steps() -> None:
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Current Task: write it"},
        {
            "role": "assistant",
            "content": 'Thought: go\nAction: delegate_work_to_coworker\nAction Input: {"task": "t"}'
            '\nObservation: {"title": "x"}\nmore lines',
        },
        {"role": "user", "content": "Analyze the tool result."},
    ]
    convo = Conversation.parse(messages)
    assert convo.tools == ["delegate_work_to_coworker", "ask_question_to_coworker"]
    assert convo.coworkers == ["Job Description Writer", "Candidate Sourcer"]
    assert convo.task == "Current Task: write it"
    assert convo.called("delegate_work_to_coworker")
    assert convo.steps[0].arguments == {"task": "t"}
    assert convo.observation("delegate_work_to_coworker") == '{"title": "x"}\nmore lines'
    assert convo.observation("other") is None


def test_json_objects_skips_broken_braces() -> None:
    text = 'noise {not json} then {"a": 1} and {"b": {"c": 2}}'
    assert list(json_objects(text)) == [{"a": 1}, {"b": {"c": 2}}]


def test_review_findings_marker() -> None:
    assert not has_review_findings("findings: <review_findings>[]</review_findings>")
    assert has_review_findings('x <review_findings>[{"rule": "JD-1.age"}]</review_findings>')
    assert not has_review_findings("no marker at all")
