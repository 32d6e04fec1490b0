"""The LLM registry: which model strings hirecrew accepts, known without importing crewai."""

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
