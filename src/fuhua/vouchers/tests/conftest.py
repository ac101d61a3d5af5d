"""The world with the vouchers' objects, built once per module inside a transaction rolled back at its end
(each test runs in its own savepoint, rolled back after it), so a module pays for the world once."""

import pytest
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    from fuhua.testing import world as build
    from fuhua.vouchers.testing import voucher_world

    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build()
            voucher_world(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def vworld(module_world, db):
    return module_world


@pytest.fixture
def v(vworld):
    from fuhua.vouchers.testing import voucher_world

    return voucher_world(vworld)
