import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium: Playwright's own browser downloads are not used
CHROMIUM_ARGS = [
    "--lang=zh-CN", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for building a test world per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences",
                           "django_db_serialized_rollback"}


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(_TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def _uses_database(item) -> bool:
    return (item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())
            or _transactional(item))


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that use the test database (CI's PostgreSQL pass: a test that never touches the "
             "database — the rules packs, the settings, the processes on their own SQLite files — answers the "
             "same whichever database the suite runs on, and ran on SQLite already)")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("database_tests_only"):
        return
    kept, dropped = [], []
    for item in items:
        (kept if _uses_database(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world, built once per test module inside a transaction rolled back when the module ends; each test
    runs in a savepoint of it, rolled back after the test, and gets its own copy of the Python objects (as
    Django's setUpTestData does), so a test sees the world exactly as if it had been built for it alone. A module
    with a transactional test (which commits, and flushes every table after it) builds the world per test: the
    open transaction would hold across it; so does a module with a test that uses the database without the world
    (it expects a database without it)."""
    module = request.node
    items = [item for item in request.session.items if item.module is module.obj]
    if any(_transactional(item) or (_uses_database(item) and "world" not in item.fixturenames) for item in items):
        yield None
        return
    from fuhua.testing import rolled_back, world

    with rolled_back(django_db_blocker):
        yield world()


@pytest.fixture
def world(_module_world, db):
    import copy

    from fuhua.testing import world as build

    return build() if _module_world is None else copy.deepcopy(_module_world)


@pytest.fixture
def page():
    """A Chromium page (zh-CN, 1360×900) for the browser tests; confirmations of irreversible steps are
    accepted. Skips with the reason where Debian's chromium or Playwright is absent."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        # bypass_csp: Playwright evaluates its wait conditions as strings, which the CSP (rightly) forbids.
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN", bypass_csp=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        yield page
        browser.close()


_REFERENCE_DATA = (("fuhua.registry.migrations.0002_regions", "load"),
                   ("fuhua.registry.migrations.0005_hardship_regions", "mark"),
                   ("fuhua.marketplace.migrations.0002_categories", "forwards"))


def _load_reference_data():
    import importlib

    from django.apps import apps

    for module, function in _REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """Test databases are created from the models, not by replaying the migrations (`--no-migrations` in
    pyproject's addopts: replaying ~90 migrations costs ~30 s of CPU per xdist worker). What the migrations
    load as data — the reference data above — is loaded here instead. CI applies the migrations once to its
    PostgreSQL database as production does (`fuhua manage migrate`), and `makemigrations --check` keeps the
    models and the migrations in step."""
    if request.config.getoption("nomigrations"):
        with django_db_blocker.unblock():
            _load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test (the browser flows, with a live server) starts from the reference data the
    migrations load — regions, the hardship list, service categories — even after an earlier transactional
    test on the same worker flushed every table."""
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    elif marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        request.getfixturevalue("_django_db_helper")
    else:
        return
    from fuhua.registry.models import Region

    if Region.objects.exists():
        return
    # Flushed after a transactional test, with the ids counting on (Django flushes without resetting them) and
    # the content types and permissions created again under new ids: reset, and create them again, so that
    # they and the reference data get the ids a fresh database gives them (the replayed demo refers to them).
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    Permission.objects.all().delete()
    ContentType.objects.all().delete()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), connection.introspection.sequence_list()):
            cursor.execute(sql)
    ContentType.objects.clear_cache()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    _load_reference_data()
