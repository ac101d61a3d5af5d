"""Today is Beijing's today, asked for when it is needed.

Two slips made CI fail when a run crossed midnight in Beijing (16:00 UTC): a test module bound
``TODAY = timezone.localdate()`` at import and compared it with what the code computed minutes
later; and ``datetime.date.today()`` is the server's (UTC) date, a day behind Beijing from 00:00 to
08:00. This test reads every module's syntax tree and names each place either slip occurs.
"""

import ast
import functools
from pathlib import Path

import fuhua

SOURCE = Path(fuhua.__file__).parent
DATE_CALLS = {"localdate", "today", "now"}


def calls(node: ast.AST, into_functions: bool = True):
    """The attribute calls under ``node``; without ``into_functions``, not those a lambda defers."""
    todo = [node]
    while todo:
        sub = todo.pop()
        if not into_functions and isinstance(sub, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
            yield sub
        todo.extend(ast.iter_child_nodes(sub))


def is_server_date(call: ast.Call) -> bool:
    """``date.today()`` (also ``datetime.date.today()``, ``dt.date.today()``) or ``now().date()`` with no
    time zone given to ``now``."""
    func = call.func
    if func.attr == "today" and not call.args:
        target = func.value
        return (isinstance(target, ast.Name) and target.id == "date") or (
            isinstance(target, ast.Attribute) and target.attr == "date")
    if func.attr == "date" and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Attribute):
        return func.value.func.attr == "now" and not func.value.args and not func.value.keywords
    return False


@functools.cache
def modules() -> tuple:
    """Every module's path and syntax tree, parsed once for the tests of this file."""
    return tuple((path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
                 for path in sorted(SOURCE.rglob("*.py")) if "migrations" not in path.parts)


def test_no_module_reads_the_servers_date():
    found = [f"{path.relative_to(SOURCE)}:{call.lineno}" for path, tree in modules()
             for call in calls(tree) if is_server_date(call)]
    assert found == [], "use timezone.localdate() (Beijing) instead of the server's date: " + ", ".join(found)


def test_no_module_binds_today_at_import():
    found = []
    for path, tree in modules():
        for statement in tree.body:  # module level only: a function asks when it runs
            if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                at_import = calls(statement.value, into_functions=False)
                found += [f"{path.relative_to(SOURCE)}:{statement.lineno}" for call in at_import
                          if call.func.attr in DATE_CALLS]
    assert found == [], "a date bound at import goes stale at midnight: " + ", ".join(found)


def test_the_checks_catch_both_slips():
    tree = ast.parse("import datetime\nTODAY = timezone.localdate()\nLATER = lambda: timezone.localdate()\n"
                     "def f():\n    return (datetime.date.today(), timezone.now().date(),\n"
                     "            dt.datetime.now(BEIJING).date())\n")
    assert sorted(c.func.attr for c in calls(tree) if is_server_date(c)) == ["date", "today"]
    assert [[c.func.attr for c in calls(s.value, into_functions=False) if c.func.attr in DATE_CALLS]
            for s in tree.body[1:3]] == [["localdate"], []]
