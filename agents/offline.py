"""The offline engine: a deterministic crewai LLM that plays hirecrew's roles with real tools.

It is not a language model. It reads the ReAct conversation crewai sends, decides the next
tool call of its role (see ``agents.offline_roles``) and writes JSON answers that validate
against the task's output model. Prose comes from templates. It exists so that hirecrew runs
end to end with no network and no model weights: air-gapped installs, demos and tests.
"""

from __future__ import annotations

from typing import Any

from crewai.events.types.llm_events import LLMCallType
from crewai.llms.base_llm import BaseLLM, llm_call_context
from pydantic import Field

from agents.conversation import Conversation
from agents.offline_roles import policy_for, structured_answer

OFFLINE_CONTEXT_WINDOW = 1_000_000


class OfflineLLM(BaseLLM):
    """Deterministic role player speaking crewai's ReAct text protocol."""

    llm_type: str = "offline"
    model: str = "offline"
    provider: str = "offline"
    role_key: str = ""
    # A custom crew's inputs: the generic policy fills plugin tools' arguments from them.
    inputs: dict[str, str] = Field(default_factory=dict)

    def call(
        self,
        messages: Any,
        tools: list[dict[str, Any]] | None = None,
        callbacks: list[Any] | None = None,
        available_functions: dict[str, Any] | None = None,
        from_task: Any | None = None,
        from_agent: Any | None = None,
        response_model: type[Any] | None = None,
    ) -> str:
        with llm_call_context():
            self._emit_call_started_event(
                messages=messages,
                tools=tools,
                callbacks=callbacks,
                available_functions=available_functions,
                from_task=from_task,
                from_agent=from_agent,
            )
            try:
                # crewai's converter asks models without function calling for JSON with no
                # response_model; the task's output model says what to give it.
                expected = response_model
                if expected is None and not tools and from_task is not None:
                    expected = self._converter_target(messages, from_task)
                reply = self._reply(messages, expected)
            except Exception as exc:
                self._emit_call_failed_event(str(exc), from_task=from_task, from_agent=from_agent)
                raise
            # Counted like a provider would (about four characters a token), so the run's
            # usage, its budget and the audit log work the same on the offline engine.
            prompt = self.get_input_tokens_count(messages)
            completion = (len(reply) + 3) // 4
            usage = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
            self._track_token_usage_internal(usage)
            self._emit_call_completed_event(
                response=reply,
                call_type=LLMCallType.LLM_CALL,
                from_task=from_task,
                from_agent=from_agent,
                messages=messages,
                usage=usage,
            )
            return reply

    def _reply(self, messages: Any, response_model: type[Any] | None) -> str:
        if response_model is not None:
            text = (
                messages
                if isinstance(messages, str)
                else "\n".join(str(m.get("content", "")) for m in messages)
            )
            return structured_answer(text, response_model)
        convo = Conversation.parse(messages)
        return self._apply_stop_words(policy_for(convo, self.inputs)(convo).render())

    @staticmethod
    def _converter_target(messages: Any, from_task: Any) -> type[Any] | None:
        convo = Conversation.parse(messages)
        output = getattr(from_task, "output_pydantic", None)
        return output if output is not None and not convo.tools else None

    def supports_function_calling(self) -> bool:
        # The text protocol keeps every step visible in the transcript and the audit log.
        return False

    def get_context_window_size(self) -> int:
        return OFFLINE_CONTEXT_WINDOW

    def get_input_tokens_count(
        self, messages: Any, tools: Any = None, response_model: Any = None
    ) -> int:
        if isinstance(messages, str):
            return (len(messages) + 3) // 4
        return sum((len(str(m.get("content", ""))) + 3) // 4 for m in messages)
