"""Validation problems: every one carries the JSON path it is about and a readable sentence."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a criteria document, e.g. ``listFilterBranch.filters[0]: ...``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class CriteriaInvalid(Exception):
    """Raised by ``parse``: carries every problem at once, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the criteria: {head}{more}"
        )
