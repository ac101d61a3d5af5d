"""Every status changes through its workflow.

1. Every model of an installed app with a field named `status` has exactly one registered `Workflow`
   (core.workflow.REGISTRY), and that field is not editable, so no form, generic CRUD page or API input
   schema built from the model can write it.
2. The only code that writes a status is a workflow module: a scan of the source (AST) finds every
   `x.status = …`, `setattr(x, "status", …)`, `status=` given to `create`/`update`/`get_or_create`/
   `update_or_create`/a model constructor, `{"status": …}` defaults and `bulk_update(…, ["status"…])`.
   The few other writers are listed below with the reason each is allowed (creating a record in its
   initial state; demo and test data that create records as they stand after their history).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps

from fuhua.core.workflow import REGISTRY, Workflow

SRC = Path(__file__).resolve().parents[2]  # src/fuhua
STATE_FIELD = "status"

# Models whose status is not yet under a workflow, with the reason. Keep this empty; an entry is a debt.
PENDING: dict[str, str] = {}

# (file relative to src/fuhua, enclosing function) → why this writer is allowed.
ALLOWED_WRITERS = {
    ("incubation/lifecycle.py", "register_applicant"): "creates the record in its initial state (applied)",
    ("policies/services/runs.py", "_propose_clawback"): "creates a clawback proposal in its initial state (clawback)",
    ("policies/services/applications.py", "pay_application"): "creates the entitlement in its initial state "
                                                              "(proposed); the award is a workflow step",
    ("incubation/demo/tenants.py", "record"): "demo data: records created as they stand after their history",
    ("incubation/demo/tenants.py", "__init__"): "a demo plan (a plain object with slots), not the model",
    ("statistics/demo.py", "load_statistics"): "demo data: reports created as they stand after their history",
    ("registry/demo/carriers.py", "build"): "demo data: carriers created operating or suspended (their history)",
    ("testing.py", "world"): "test fixtures: the world in the states the tests start from",
    ("statistics/testing.py", "report"): "test fixtures: a report in the state a test asks for",
    ("core/workers.py", "recover_orphaned_tasks"): "django-tasks' own task rows (a library model, no Fuhua "
                                                   "workflow): a dead worker's task put back to READY",
    ("policies/testing.py", "grade"): "test fixtures: a published evaluation result for the rules to read",
}

WRITING_CALLS = {"create", "update", "get_or_create", "update_or_create"}


def _status_models():
    return [m for m in apps.get_models() if m.__module__.startswith("fuhua.")
            and any(f.name == STATE_FIELD for f in m._meta.get_fields() if f.concrete)]


def _import_workflows() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("fuhua.") and (Path(config.path) / "workflow.py").exists():
            importlib.import_module(f"{config.name}.workflow")


def test_every_model_with_a_status_has_one_workflow_and_a_read_only_field():
    _import_workflows()
    models = _status_models()
    assert len(models) >= 7, [m._meta.label for m in models]  # the scan found the models it is about
    problems = []
    for model in models:
        label = model._meta.label_lower
        if label in PENDING:
            continue
        workflow = REGISTRY.get(label)
        if not isinstance(workflow, Workflow):
            problems.append(f"{label}: no registered workflow (Workflow(..., model={model._meta.label!r}))")
            continue
        field = model._meta.get_field(workflow.state_field)
        if field.editable:
            problems.append(f"{label}.{field.name} is editable: forms and CRUD could write it")
        targets = {t.target for t in workflow.transitions.values()}
        unknown = targets - {value for value, _label in field.choices}
        if unknown:
            problems.append(f"{label}: transitions lead to unknown states {sorted(unknown)}")
    assert not problems, "\n".join(problems)
    assert not set(PENDING) - {m._meta.label_lower for m in models}, "drop PENDING entries that are done"


class _Writers(ast.NodeVisitor):
    def __init__(self, model_names: set[str]):
        self.model_names = model_names
        self.function = "<module>"
        self.found: list[tuple[str, int]] = []

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def _hit(self, node):
        self.found.append((self.function, node.lineno))

    def _is_status(self, node) -> bool:
        return isinstance(node, ast.Constant) and node.value == STATE_FIELD

    def visit_Assign(self, node):
        for target in node.targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Attribute) and leaf.attr == STATE_FIELD and isinstance(leaf.ctx, ast.Store):
                    self._hit(node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Attribute) and node.target.attr == STATE_FIELD:
            self._hit(node)
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "setattr" and len(node.args) >= 2 and self._is_status(node.args[1]):
            self._hit(node)
        if name in WRITING_CALLS or name in self.model_names:
            for kw in node.keywords:
                if kw.arg == STATE_FIELD:
                    self._hit(node)
                if kw.arg == "defaults" and isinstance(kw.value, ast.Dict) and any(
                        self._is_status(k) for k in kw.value.keys):
                    self._hit(node)
        if name == "bulk_update":
            fields = node.args[1] if len(node.args) > 1 else next(
                (kw.value for kw in node.keywords if kw.arg == "fields"), None)
            if isinstance(fields, ast.List | ast.Tuple) and any(self._is_status(e) for e in fields.elts):
                self._hit(node)
        self.generic_visit(node)


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in f"/{rel}" or rel.endswith("workflow.py"):
            continue  # workflow modules are the writers; tests and migrations are not product code
        yield rel, path


def test_only_workflows_write_a_status():
    model_names = {m.__name__ for m in _status_models()}
    unexpected = []
    for rel, path in _sources():
        visitor = _Writers(model_names)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel))
        for function, line in visitor.found:
            if (rel, function) not in ALLOWED_WRITERS:
                unexpected.append(f"{rel}:{line} in {function}()")
    assert not unexpected, "status written outside a workflow (take a workflow step instead):\n" + "\n".join(
        unexpected)


@pytest.mark.parametrize("source", [
    "report.status = 'accepted'",
    "setattr(obj, 'status', 'paid')",
    "Entitlement.objects.filter(pk=1).update(status='paid')",
    "Entitlement.objects.get_or_create(key='k', defaults={'status': 'confirmed'})",
    "Entitlement.objects.bulk_update(rows, ['status', 'queue_position'])",
    "Appeal(result=r, status='upheld')",
])
def test_the_scan_finds_each_kind_of_writer(source):
    visitor = _Writers({"Appeal", "Entitlement"})
    visitor.visit(ast.parse(source))
    assert visitor.found == [("<module>", 1)]


def test_the_scan_ignores_reads_and_filters():
    visitor = _Writers({"Appeal", "Entitlement"})
    visitor.visit(ast.parse("Entitlement.objects.filter(status='paid').exclude(status='queued')\n"
                            "x = report.status\nQ(status='draft')\nrender(request, t, c, status=400)"))
    assert visitor.found == []
