"""The layer contract of pyproject.toml ([tool.importlinter]) holds, and an import against it fails it.

The same check runs in CI as `.venv/bin/lint-imports`; running it here too means the README's test
command catches an upward import before CI does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import fuhua

SRC = Path(fuhua.__file__).resolve().parent.parent
PYPROJECT = SRC.parent / "pyproject.toml"


def _lint(src: Path, config: Path, cwd: Path) -> subprocess.CompletedProcess:
    """import-linter in a fresh interpreter that imports `fuhua` from `src` (this process already has it)."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(config)!r}, cache_dir=None, no_logo=True))")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env={"PYTHONPATH": str(src), "PATH": ""},
                          capture_output=True, text=True, timeout=300)


def test_the_layer_contract_holds():
    result = _lint(SRC, PYPROJECT, SRC.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_upward_import_inside_a_function_breaks_it(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(SRC / "fuhua", copy / "fuhua", ignore=shutil.ignore_patterns(
        "__pycache__", "locale", "static", "templates", "*.yaml", "*.json", "*.csv", "*.mo", "*.po"))
    # core (the kernel) reaching up into a domain app, hidden in a function; and the engine importing Django.
    (copy / "fuhua" / "core" / "wrong.py").write_text(
        "def grades():\n    from fuhua.evaluation.services import published_grades\n\n    return published_grades\n")
    (copy / "fuhua" / "rules" / "engine" / "wrong.py").write_text("import django.db  # noqa: F401\n")
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")

    result = _lint(copy, tmp_path / "pyproject.toml", tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 2 broken." in result.stdout
    assert "fuhua.core is not allowed to import fuhua.evaluation" in result.stdout
    assert "fuhua.core.wrong -> fuhua.evaluation.services (l.2)" in " ".join(result.stdout.split())
    assert "fuhua.rules.engine.wrong -> django (l.1)" in result.stdout
