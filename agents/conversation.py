"""Reading a crewai ReAct conversation: the task, the tools offered and the steps so far."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_TOOL_NAME = re.compile(r"^Tool Name: (\S+)\s*$", re.MULTILINE)
_STEP = re.compile(
    r"Action:\s*(?P<action>[^\n]+)\nAction Input:\s*(?P<input>.*?)\nObservation:\s?(?P<obs>.*)",
    re.DOTALL,
)
_COWORKERS = re.compile(r"one of the following coworkers: ([^\n]+)")
_TOOL_ARGUMENTS = re.compile(r"^Tool Name: (\S+)\s*\nTool Arguments: ", re.MULTILINE)


@dataclass(frozen=True)
class Step:
    """One tool call the agent made, with what the tool answered."""

    action: str
    arguments: dict[str, Any]
    observation: str


@dataclass
class Conversation:
    """The parts of a ReAct message list an offline role needs."""

    system: str = ""
    task: str = ""
    steps: list[Step] = field(default_factory=list)

    @property
    def tools(self) -> list[str]:
        return _TOOL_NAME.findall(self.system)

    @property
    def coworkers(self) -> list[str]:
        match = _COWORKERS.search(self.system)
        if not match:
            return []
        return [name.strip() for name in match.group(1).split(",") if name.strip()]

    def tool_schema(self, tool: str) -> dict[str, Any]:
        """The JSON schema of a tool's arguments, as crewai showed it in the system prompt
        (``{}`` when it showed none or it does not parse)."""
        for match in _TOOL_ARGUMENTS.finditer(self.system):
            if match.group(1) != tool:
                continue
            try:
                schema, _ = json.JSONDecoder().raw_decode(self.system, match.end())
            except json.JSONDecodeError:
                return {}
            return schema if isinstance(schema, dict) else {}
        return {}

    def called(self, tool: str) -> bool:
        return any(step.action == tool for step in self.steps)

    def observation(self, tool: str) -> str | None:
        """The latest answer of a tool, if it was called."""
        for step in reversed(self.steps):
            if step.action == tool:
                return step.observation
        return None

    @classmethod
    def parse(cls, messages: str | Sequence[Mapping[str, Any]]) -> Conversation:
        if isinstance(messages, str):
            return cls(task=messages)
        convo = cls()
        for message in messages:
            content = message.get("content")
            text = content if isinstance(content, str) else json.dumps(content)
            role = message.get("role")
            if role == "system":
                convo.system += text
            elif role == "user" and not convo.task:
                convo.task = text
            elif role == "assistant":
                step = _parse_step(text)
                if step is not None:
                    convo.steps.append(step)
        return convo


def _parse_step(text: str) -> Step | None:
    match = _STEP.search(text)
    if not match:
        return None
    try:
        arguments = json.loads(match.group("input").strip() or "{}")
    except json.JSONDecodeError:
        arguments = {}
    return Step(
        action=match.group("action").strip(),
        arguments=arguments if isinstance(arguments, dict) else {},
        observation=match.group("obs").strip(),
    )


def json_objects(text: str) -> Iterator[Any]:
    """Every top-level JSON object embedded in a text, in order."""
    decoder = json.JSONDecoder()
    index = text.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            index = text.find("{", index + 1)
            continue
        yield value
        index = text.find("{", end)
