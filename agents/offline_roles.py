"""How the offline engine plays each role: which real tools to call, and how to answer.

A role is recognised by the tools it is offered, not by its name, so a renamed agent keeps
working. An agent whose tools are none of hirecrew's (a custom crew's plugin tools) gets the
generic policy: call each tool once, in the order offered, with the arguments filled from the
crew's inputs of the same names, and answer with the last tool's result. Each policy is a pure
function of the conversation so far (and the crew's inputs): crewai may replay or retry a step
and get the same answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from agents.conversation import Conversation, json_objects
from agents.errors import OfflineRoleError
from domain.artifacts import (
    CalendarInvite,
    CandidateList,
    InterviewSlot,
    OutreachMessage,
    OutreachPlan,
    PoolInsights,
    Review,
    SearchPlan,
    SourcingReport,
)

FINDINGS_OPEN = "<review_findings>"
FINDINGS_CLOSE = "</review_findings>"
_FINDINGS = re.compile(re.escape(FINDINGS_OPEN) + r"(.*?)" + re.escape(FINDINGS_CLOSE), re.DOTALL)


@dataclass(frozen=True)
class Action:
    tool: str
    arguments: dict[str, Any]

    def render(self) -> str:
        return (
            f"Thought: I will use {self.tool}.\n"
            f"Action: {self.tool}\n"
            f"Action Input: {json.dumps(self.arguments)}"
        )


@dataclass(frozen=True)
class Final:
    answer: str
    thought: str = "I now know the final answer"

    def render(self) -> str:
        return f"Thought: {self.thought}\nFinal Answer: {self.answer}"


@dataclass(frozen=True)
class Raw:
    """A bare answer, for callers that parse the reply as it is (crewai's converter)."""

    text: str

    def render(self) -> str:
        return self.text


Reply = Action | Final | Raw
Policy = Callable[[Conversation], Reply]


def _observed(convo: Conversation, tool: str) -> str:
    """A tool's answer as JSON text, without what crewai appends after it (format reminders)."""
    text = convo.observation(tool)
    if text is None:
        raise OfflineRoleError(f"expected an answer from {tool} before finishing")
    value = leading_json(text)
    return text if value is None else json.dumps(value)


def leading_json(text: str) -> Any:
    """The JSON value a text starts with, or None."""
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(stripped)
    except json.JSONDecodeError:
        return None
    return value


def _failed(convo: Conversation) -> Final | None:
    """Stop with the tool's own error: the flow sees an invalid output and the run can retry."""
    for step in convo.steps:
        if step.observation.startswith("Error:"):
            return Final(step.observation, thought=f"{step.action} failed")
    return None


def has_review_findings(text: str) -> bool:
    """Whether the task carries reviewer findings to address (a revision round)."""
    for block in _FINDINGS.findall(text):
        try:
            findings = json.loads(block)
        except json.JSONDecodeError:
            continue
        if findings:
            return True
    return False


RECALL = "recall_memories"


def _recall_first(convo: Conversation, query: str) -> Action | None:
    """Look up the recruiter's memories before working, when the role may: the lookup is
    on the record (the audit shows it), and the role's tools apply the preferences found."""
    if RECALL in convo.tools and not convo.called(RECALL):
        return Action(RECALL, {"query": query})
    return None


def manager(convo: Conversation) -> Reply:
    """Delegate the whole task, with all its context, to the coworker that fits it."""
    if not convo.called("delegate_work_to_coworker"):
        coworkers = convo.coworkers
        if not coworkers:
            raise OfflineRoleError("a manager was offered no coworkers to delegate to")
        task_words = set(re.findall(r"[a-z]+", convo.task.lower()))
        coworker = max(
            coworkers,
            key=lambda name: len(set(re.findall(r"[a-z]+", name.lower())) & task_words),
        )
        return Action(
            "delegate_work_to_coworker",
            {
                "task": _current_task(convo.task),
                "context": convo.task,
                "coworker": coworker,
            },
        )
    return Final(_observed(convo, "delegate_work_to_coworker"), thought="My coworker answered")


def _current_task(text: str) -> str:
    match = re.search(r"Current Task:\s*(.*?)(?:\n\nThis is the expected criteria|\Z)", text, re.S)
    return (match.group(1) if match else text).strip()


def jd_writer(convo: Conversation) -> Reply:
    """Draft from the notes; in a revision round, revise the last draft with the findings."""
    if failed := _failed(convo):
        return failed
    if recall := _recall_first(convo, "job description length, style and wording"):
        return recall
    revising = has_review_findings(convo.task) and "revise_job_description" in convo.tools
    tool = "revise_job_description" if revising else "draft_job_description"
    if not convo.called(tool):
        return Action(tool, {})
    return Final(_observed(convo, tool))


def sourcer(convo: Conversation) -> Reply:
    """Plan the search from the requirements, lint the query, search, then size up the pool."""
    if failed := _failed(convo):
        return failed
    if recall := _recall_first(convo, "must-have skills and search preferences"):
        return recall
    if not convo.called("build_search_plan"):
        return Action("build_search_plan", {})
    plan = SearchPlan.model_validate_json(_observed(convo, "build_search_plan"))
    if "lint_search_query" in convo.tools and not convo.called("lint_search_query"):
        return Action("lint_search_query", {"query": plan.boolean_query})
    if not convo.called("search_candidates"):
        return Action("search_candidates", plan.model_dump(mode="json"))
    results = CandidateList.model_validate_json(_observed(convo, "search_candidates"))
    insights = None
    if "talent_pool_insights" in convo.tools:
        if not convo.called("talent_pool_insights"):
            return Action("talent_pool_insights", {})
        insights = PoolInsights.model_validate_json(_observed(convo, "talent_pool_insights"))
    report = SourcingReport(plan=plan, results=results, insights=insights)
    return Final(report.model_dump_json())


def screener(convo: Conversation) -> Reply:
    """Screen every sourced candidate with quoted evidence; the tool ranks them."""
    if failed := _failed(convo):
        return failed
    if recall := _recall_first(convo, "screening criteria and shortlist size"):
        return recall
    if not convo.called("screen_candidates"):
        return Action("screen_candidates", {"candidate_ids": []})
    return Final(_observed(convo, "screen_candidates"))


def coordinator(convo: Conversation) -> Reply:
    """Find slots, draft a message per slot, make the invites, and hand back the plan."""
    if failed := _failed(convo):
        return failed
    if recall := _recall_first(convo, "outreach tone and interview scheduling"):
        return recall
    for tool in ("find_interview_slots", "draft_outreach_messages", "create_calendar_invites"):
        if not convo.called(tool):
            return Action(tool, {})
    plan = OutreachPlan(
        slots=[
            InterviewSlot.model_validate(s)
            for s in json.loads(_observed(convo, "find_interview_slots"))
        ],
        messages=[
            OutreachMessage.model_validate(m)
            for m in json.loads(_observed(convo, "draft_outreach_messages"))
        ],
        invites=[
            CalendarInvite.model_validate(i)
            for i in json.loads(_observed(convo, "create_calendar_invites"))
        ],
    )
    return Final(plan.model_dump_json())


def compliance_reviewer(convo: Conversation) -> Reply:
    """Run the deterministic checks and report them as the review, adding nothing."""
    if failed := _failed(convo):
        return failed
    if not convo.called("run_compliance_checks"):
        return Action("run_compliance_checks", {})
    review = Review.model_validate_json(_observed(convo, "run_compliance_checks"))
    summary = f"Offline reviewer (deterministic checks only): {review.summary}"
    return Final(review.model_copy(update={"summary": summary}).model_dump_json())


# Order matters: the first tool found decides the role (a manager also sees worker tools).
POLICIES: tuple[tuple[str, Policy], ...] = (
    ("delegate_work_to_coworker", manager),
    ("run_compliance_checks", compliance_reviewer),
    ("draft_job_description", jd_writer),
    ("revise_job_description", jd_writer),
    ("search_candidates", sourcer),
    ("screen_candidates", screener),
    ("find_interview_slots", coordinator),
)


def converter(convo: Conversation) -> Reply:
    """crewai's output converter (no tools): hand back the JSON the answer already holds."""
    found = [value for value in json_objects(convo.task) if isinstance(value, dict)]
    if not found:
        snippet = " ".join(convo.task.split())[-400:]
        raise OfflineRoleError(f"the crew's answer holds no structured output: ...{snippet}")
    return Raw(json.dumps(found[-1]))


def plugin_worker(convo: Conversation, inputs: Mapping[str, str]) -> Reply:
    """A custom crew's worker: each offered tool once, in order, arguments from the inputs.

    Arguments are filled by name from the crew's inputs; an optional argument with no input
    of its name keeps its default, a required one is an error that says what to rename.
    """
    if failed := _failed(convo):
        return failed
    tools = [tool for tool in convo.tools if tool != RECALL]
    for tool in tools:
        if convo.called(tool):
            continue
        schema = convo.tool_schema(tool)
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        missing = sorted(name for name in required if name not in inputs)
        if missing:
            raise OfflineRoleError(
                f"the offline engine fills tool arguments from the crew's inputs by name: "
                f"tool '{tool}' needs {', '.join(missing)}, which the crew does not take "
                f"(inputs: {', '.join(sorted(inputs)) or 'none'}); add them to the crew's "
                "inputs or set this agent's llm to a real model"
            )
        return Action(tool, {name: inputs[name] for name in properties if name in inputs})
    if not tools:
        raise OfflineRoleError("the offline engine needs at least one tool to play this role")
    return Final(_observed(convo, tools[-1]))


def policy_for(convo: Conversation, inputs: Mapping[str, str] | None = None) -> Policy:
    """The policy for the role this conversation is playing."""
    tools = set(convo.tools)
    for tool, policy in POLICIES:
        if tool in tools:
            return policy
    if not tools:
        return converter
    if tools == {RECALL}:
        raise OfflineRoleError(
            "the offline engine cannot play a role whose only tool is recall_memories; "
            "give this agent a tool that does its work or set its llm to a real model"
        )
    given = dict(inputs or {})
    return lambda conversation: plugin_worker(conversation, given)


def structured_answer(text: str, model: type[Any]) -> str:
    """The last JSON object in a text that validates against ``model``, as JSON.

    Used when crewai asks for a ``response_model`` (converting an answer to a task's output).
    """
    found: str | None = None
    for value in json_objects(text):
        try:
            found = model.model_validate(value).model_dump_json()
        except ValidationError:
            continue
    if found is None:
        raise OfflineRoleError(
            f"no answer in the conversation validates as {getattr(model, '__name__', model)}"
        )
    return found
