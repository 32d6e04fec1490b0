"""Which model strings hirecrew accepts: ``offline`` or ``<provider>/<model>``.

Known without importing crewai, so settings and YAML are checked before anything runs.
"""

from __future__ import annotations

OFFLINE = "offline"

# crewai 1.15's native providers (litellm is not installed, so these are all that work).
KNOWN_PROVIDERS: frozenset[str] = frozenset(
    {
        "openai",
        "anthropic",
        "claude",
        "azure",
        "azure_openai",
        "google",
        "gemini",
        "bedrock",
        "aws",
        "openrouter",
        "deepseek",
        "ollama",
        "ollama_chat",
        "hosted_vllm",
        "cerebras",
        "dashscope",
        "snowflake",
        "deepinfra",
    }
)


def model_problem(value: str) -> str | None:
    """Why a model string cannot be used, or None when it can."""
    if value == OFFLINE:
        return None
    provider, sep, model = value.partition("/")
    if not sep or not model.strip() or value != value.strip():
        return f"model '{value}' must be 'offline' or '<provider>/<model>'"
    if provider not in KNOWN_PROVIDERS:
        known = ", ".join(sorted(KNOWN_PROVIDERS))
        return f"unknown LLM provider '{provider}'; known providers: {known}"
    return None
