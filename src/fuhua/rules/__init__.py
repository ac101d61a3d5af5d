"""Fuhua rules as code: versioned rule packs (YAML) evaluated by a safe, vectorised engine.

See README.md in this directory.  Public API (apps import only from here, never ``fuhua.rules.engine.*``)::

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
    yaml_lines,
)
from .engine.api import references
from .engine.kernels import add_months, months_between
from .engine.loader import load_pack_text
from .engine.pack import Citation
from .engine.sentence import UNVERIFIED, explain_sentence
from .engine.trace import Step, to_plain
from .engine.units import to_canonical
from .entities import Attribute, Relation, Schema, attribute_label, default_schema

__all__ = [
    "UNVERIFIED",
    "Attribute",
    "CaseResult",
    "Citation",
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
    "Step",
    "Trace",
    "add_months",
    "attribute_label",
    "compile_expression",
    "default_schema",
    "evaluate_expression",
    "evaluate_population",
    "explain",
    "explain_sentence",
    "load_pack_file",
    "load_pack_text",
    "load_registry",
    "months_between",
    "references",
    "run_pack_tests",
    "to_canonical",
    "to_plain",
    "yaml_lines",
]
