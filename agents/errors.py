"""Errors of the agents layer."""

from domain.errors import HirecrewError


class LLMError(HirecrewError):
    """A model could not be built or called."""


class UnknownProviderError(LLMError):
    """A model string names a provider hirecrew does not know."""


class OfflineRoleError(LLMError):
    """The offline engine was asked to play a role it does not know."""
