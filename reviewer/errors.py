"""The exception tree of casefile-reviewer.

Every error carries a stable code (like spaCy's ``E088``) so users can search for it.

    ReviewerError
    ├── CaseError        the path cannot be read as a case at all (CLI exit 2)
    └── RulesError       a data file in models/ is invalid (refused on load)

A problem that spoils only part of a case (one page, one file) is not an exception:
it is a :class:`Problem` listed in the report, and the rest of the case is reviewed.
"""
from __future__ import annotations

from dataclasses import dataclass, asdict


class ReviewerError(Exception):
    code = "R000"

    def __init__(self, message: str):
        super().__init__(f"[{self.code}] {message}")
        self.message = message


class CaseError(ReviewerError):
    """PATH is missing, empty, of an unsupported type, encrypted or corrupt."""

    code = "R001"


class RulesError(ReviewerError):
    """A rule, pattern or checklist file in models/ failed validation."""

    code = "R002"


@dataclass
class Problem:
    """Something that could not be read, kept in the report so nothing is silently lost."""

    file: str
    kind: str  # missing | empty | unsupported | encrypted | corrupt | image_only | no_text | page_error
    detail: str
    page: int | None = None  # case page, when the problem is one page

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}" + (f" (page {self.page})" if self.page else "")
        return f"{where}: {self.kind}: {self.detail}"
