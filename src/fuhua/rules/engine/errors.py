"""Engine exceptions.  Every message says where (file, line, column) and why."""

from __future__ import annotations


class RulesError(Exception):
    """Base class of all rules-engine errors."""


class ExpressionError(RulesError):
    """An expression is not in the language (syntax, whitelist, names, types)."""

    def __init__(self, message: str, col: int = 1):
        super().__init__(message)
        self.message = message
        self.col = col


class PackError(RulesError):
    """A pack file is invalid.  ``where`` is ``file:line``."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file, self.line, self.reason = str(file), line, reason
        super().__init__(f"{self.file}:{line or '?'}: {reason}")


class EvaluationError(RulesError):
    """A well-formed pack could not be evaluated on the given data."""


class PopulationError(RulesError):
    """Input data does not match the entity schema."""


class NotInForce(RulesError):
    """No pack (with the rules asked for) was in force on the date: the question is "not applicable"."""
