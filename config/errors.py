"""Configuration errors: each issue names the file, the key path and the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.errors import HirecrewError


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration file."""

    file: Path | None
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.file) if self.file else "<settings>"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class ConfigError(HirecrewError):
    """Configuration that cannot be used; carries every issue found, not only the first."""

    def __init__(self, message: str, issues: list[ConfigIssue] | None = None) -> None:
        self.issues = issues or []
        if self.issues:
            message = message + "\n" + "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(message)
