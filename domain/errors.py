"""The one exception hierarchy of hirecrew.

Each subclass lives in the layer that raises it; the server maps them to HTTP status codes in
one place. Messages say what to do next.

    HirecrewError
    ├── DomainError                  (domain/)   invalid recruiting input: bad notes, bad edit
    │   ├── InvalidArtifactError                 an artifact that does not validate for its stage
    │   ├── InfeasibleScheduleError  (solver)    no slot fits: says which constraint blocks it
    │   ├── DecisionsFileError       (bias)      a bias-audit CSV naming file, line and column
    │   └── NoInvite                 (server)    no confirmed interview invite to change
    ├── ConfigError                  (config/)   YAML or settings that cannot be used
    ├── LLMError                     (agents/)   a model could not be built or called
    │   ├── UnknownProviderError                 a model string names no known provider
    │   └── OfflineRoleError                     the offline engine cannot play that role
    └── RunError                     (crews/)    a run cannot proceed
        ├── StageOutputError                     a crew returned the wrong output type
        ├── StopRequested                        the recruiter stopped the run mid-stage
        │   └── BudgetExceeded                   the run spent its token budget
        ├── RunNotFoundError
        └── GateError                            a human decision that does not fit the gate
"""

from __future__ import annotations


class HirecrewError(Exception):
    """Root of every error hirecrew raises on purpose."""


class DomainError(HirecrewError):
    """Recruiting input that the domain logic cannot accept."""


class InvalidArtifactError(DomainError):
    """An artifact (job description, shortlist, ...) that does not validate for its stage."""
