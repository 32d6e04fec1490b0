"""Build the LLM of a role from its YAML ``llm:`` and the settings that override it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.errors import LLMError, UnknownProviderError
from agents.offline import OfflineLLM
from config.providers import KNOWN_PROVIDERS, OFFLINE
from config.settings import LLMSettings


def resolve_model(role_key: str, yaml_llm: str, settings: LLMSettings) -> str:
    """The model string a role uses: per-role setting, then the global one, then YAML."""
    return settings.roles.get(role_key) or settings.default or yaml_llm


def build_llm(
    role_key: str,
    yaml_llm: str,
    settings: LLMSettings,
    *,
    inputs: Mapping[str, str] | None = None,
) -> Any:
    """A crewai LLM for a role.

    ``inputs`` (a custom crew's) let the offline engine fill plugin tools' arguments.

    Raises:
        UnknownProviderError: the model names a provider crewai cannot reach here.
        LLMError: the provider's client could not be built (missing SDK or key).
    """
    model = resolve_model(role_key, yaml_llm, settings)
    if model == OFFLINE:
        return OfflineLLM(model=OFFLINE, role_key=role_key, inputs=dict(inputs or {}))
    provider, _, name = model.partition("/")
    if not name or provider not in KNOWN_PROVIDERS:
        known = ", ".join(sorted(KNOWN_PROVIDERS))
        raise UnknownProviderError(
            f"role '{role_key}': cannot use model '{model}'; write 'offline' or "
            f"'<provider>/<model>' with one of: {known}"
        )
    from crewai import LLM  # imported here: building the offline engine must stay cheap

    kwargs: dict[str, Any] = {"timeout": settings.timeout_s, "max_retries": settings.max_retries}
    if settings.max_tokens is not None:
        kwargs["max_tokens"] = settings.max_tokens
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if settings.api_key is not None:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    try:
        return LLM(model=model, **kwargs)
    except Exception as exc:  # provider SDKs raise anything from ImportError to ValueError
        raise LLMError(
            f"role '{role_key}': could not build model '{model}': {exc}. Set "
            "HIRECREW_LLM__API_KEY (and HIRECREW_LLM__BASE_URL for a local server)."
        ) from exc
