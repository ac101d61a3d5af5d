"""Fuhua rules as code: versioned rule packs (YAML) evaluated by a safe, vectorised engine.

See README.md in this directory.  Public API::

    from fuhua.rules import load_registry, Population, evaluate_population, explain, run_pack_tests
"""

from .engine import (
    CaseResult,
    EvaluationError,
    Expression,
    ExpressionError,
    NotInForce,
    Pack,
    PackError,
    PackRegistry,
    Population,
    PopulationError,
    RulesError,
    Trace,
    compile_expression,
    evaluate_expression,
    evaluate_population,
    explain,
    load_pack_file,
    load_registry,
    run_pack_tests,
)
from .entities import Attribute, Relation, Schema, default_schema

__all__ = [
    "Attribute",
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
    "Relation",
    "RulesError",
    "Schema",
    "Trace",
    "compile_expression",
    "default_schema",
    "evaluate_expression",
    "evaluate_population",
    "explain",
    "load_pack_file",
    "load_registry",
    "run_pack_tests",
]
