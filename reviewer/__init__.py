"""casefile-reviewer: a pre-review checklist for RASSO case files submitted to the CPS."""
from .errors import CaseError, Problem, ReviewerError, RulesError
from .report import SCHEMA, Report
from .review import Reviewer, review

__version__ = "0.1.0"
__all__ = ["review", "Reviewer", "Report", "SCHEMA", "CaseError", "RulesError", "ReviewerError", "Problem", "__version__"]
