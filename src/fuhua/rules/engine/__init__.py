"""Pure-Python rules engine (numpy only; no Django imports here)."""

from .api import Expression, compile_expression, evaluate_expression, evaluate_population, explain
from .errors import EvaluationError, ExpressionError, NotInForce, PackError, PopulationError, RulesError
from .loader import load_pack_file, load_pack_text
from .pack import Pack
from .parser import parse
from .population import Population
from .registry import PackRegistry, load_registry
from .testing import CaseResult, run_pack_tests
from .trace import Trace

__all__ = [
    "CaseResult",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "NotInForce",
    "Pack",
    "PackError",
    "PackRegistry",
    "Population",
    "PopulationError",
    "RulesError",
    "Trace",
    "compile_expression",
    "evaluate_expression",
    "evaluate_population",
    "explain",
    "load_pack_file",
    "load_pack_text",
    "load_registry",
    "parse",
    "run_pack_tests",
]
