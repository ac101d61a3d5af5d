"""Every demo account, on the small demo: every page reachable from its dashboard answers without a
server error, and no link or button a page shows leads to 403, 404 or back to the login page.

The same crawl runs on the province demo with `benchmarks/crawl_demo.py`.
"""

import pytest
from django.contrib.auth import get_user_model

from fuhua.crawl import crawl

pytestmark = pytest.mark.django_db


def test_every_demo_account_crawls_clean(client):
    from fuhua.demo.accounts import ensure_demo_accounts
    from fuhua.demo.testing import small_demo

    small_demo()
    names = [row.username for row in ensure_demo_accounts().rows]
    users = list(get_user_model().objects.filter(username__in=names).order_by("username"))
    assert len(users) == len(names) >= 9
    result = crawl(client, users, per_pattern=1)
    assert not result.problems, f"{len(result.problems)} problems:\n" + "\n".join(map(str, result.problems[:60]))
    # Every role reaches more than its dashboard: links lead somewhere.
    assert all(count >= 3 for count in result.per_user.values()), result.per_user
