"""core.bulk: primary-key filters past the database's parameter limits."""

import pytest

pytestmark = pytest.mark.django_db


def test_among_pks_takes_more_ids_than_sqlite_has_variables(django_user_model):
    from fuhua.core.bulk import among_pks

    users = [django_user_model.objects.create(username=f"among{n}") for n in range(3)]
    ids = [users[0].pk, users[2].pk, *range(10**9, 10**9 + 40_000)]  # 40,002 ids: past SQLite's 32,766
    found = among_pks(django_user_model.objects.all(), ids)
    assert sorted(found.values_list("pk", flat=True)) == sorted([users[0].pk, users[2].pk])
    assert list(among_pks(django_user_model.objects.all(), [users[1].pk])) == [users[1]]  # short lists: pk__in
