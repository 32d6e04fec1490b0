"""Errors of a hiring run."""

from domain.errors import HirecrewError


class RunError(HirecrewError):
    """A run cannot proceed as asked."""


class StageOutputError(RunError):
    """A crew finished without the typed output its stage must produce."""


class RunNotFoundError(RunError):
    """No run with that id is waiting for a decision."""


class GateError(RunError):
    """A human decision that does not fit the gate it was given to."""


class StopRequested(RunError):
    """A recruiter asked to stop the run while a stage was working."""


class BudgetExceeded(StopRequested):
    """The run spent its token budget (``HIRECREW_LLM__BUDGET_TOKENS``): it stops cleanly, as
    if the recruiter had asked, and says why."""


class CrewRunError(RunError):
    """A custom crew cannot run as asked (unknown crew, bad inputs, a tool it cannot build)."""
