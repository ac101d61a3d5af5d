"""Every demo account, on the small demo: every page reachable from its dashboard answers without a
server error, and no link or button a page shows leads to 403, 404 or back to the login page.

The same crawl runs on the province demo with `benchmarks/crawl_demo.py`.
"""

import pytest
from django.contrib.auth import get_user_model

from fuhua.crawl import crawl

pytestmark = pytest.mark.django_db

# The demo accounts in six groups (the largest ~80 s under coverage in CI), one test each, so that the test
# workers share the crawl (one test of all 17 took ~3 minutes on one worker).
# Every test checks the groups cover every account.
GROUPS = {
    "admin": ("admin", "bureau_js"),
    "bureaus": ("bureau_sz", "bureau_nj", "bureau_nt"),
    "carriers": ("association", "operator", "firm", "steward_sz", "steward_nj"),
    "providers": ("provider", "mentor"),
    "services": ("investor", "expert"),
    "administration": ("sysadmin", "secadmin_sz", "auditor"),
}


@pytest.fixture(scope="module")
def demo_accounts(django_db_setup, django_db_blocker):
    """The small demo as of Beijing's today and its printed accounts, once per module and worker (each test in
    its own savepoint, rolled back after it)."""
    from fuhua.demo.accounts import ensure_demo_accounts
    from fuhua.demo.testing import small_demo
    from fuhua.testing import rolled_back

    with rolled_back(django_db_blocker):
        small_demo()
        yield [row.username for row in ensure_demo_accounts().rows]


@pytest.mark.parametrize("group", GROUPS)
def test_every_demo_account_crawls_clean(client, demo_accounts, group):
    names = demo_accounts
    assert sorted(names) == sorted(name for members in GROUPS.values() for name in members)
    users = list(get_user_model().objects.filter(username__in=GROUPS[group]).order_by("username"))
    assert len(users) == len(GROUPS[group])
    result = crawl(client, users, per_pattern=1)
    assert not result.problems, f"{len(result.problems)} problems:\n" + "\n".join(map(str, result.problems[:60]))
    # Every role reaches more than its dashboard: links lead somewhere.
    assert all(count >= 3 for count in result.per_user.values()), result.per_user
