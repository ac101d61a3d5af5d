"""The README's configuration table names every environment variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path

import fuhua

PACKAGE = Path(fuhua.__file__).resolve().parent
README = PACKAGE.parent.parent / "README.md"
# os.environ.get("X"), os.environ["X"], os.getenv("X"), and settings' _env_int("X") / _env_bool("X").
READ = re.compile(r"""(?:environ(?:\.get)?\(|environ\[|getenv\(|_env_\w+\()\s*["']([A-Z][A-Z0-9_]+)["']""")
NOT_CONFIGURATION = {
    "DJANGO_SETTINGS_MODULE",  # set by the commands themselves
    "PYTEST_XDIST_TESTRUNUID",  # set by pytest-xdist in its workers (demo/testing.py shares the small demo)
}


def variables_read() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts and path.name != "conftest.py":
            found |= set(READ.findall(path.read_text(encoding="utf-8")))
    return (found | {"DATABASE_URL"}) - NOT_CONFIGURATION  # DATABASE_URL: read by dj_database_url.config()


def test_every_variable_read_is_in_the_readme_table():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Configuration"):].split("\n## ")[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    read = variables_read()
    assert {"FUHUA_HOME", "SECRET_KEY", "FUHUA_UPLOAD_MAX_BYTES"} <= read  # the scan itself finds them
    assert not read - documented, f"add to the README's configuration table: {sorted(read - documented)}"
