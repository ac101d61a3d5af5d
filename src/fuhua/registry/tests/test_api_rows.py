"""The firm list is read with `.values()` (registry.api_rows): its rows must say exactly what the detail
endpoint says for the same firms, and the list must stay at a fixed number of queries (an N+1 fails).
(More on the compiled queries behind it in core/tests/test_api_compiled.py.)"""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuhua.accounts.models import ApiToken
from fuhua.registry.models import Firm, FirmDesignation
from fuhua.testing import firm

DAY = datetime.timedelta(days=1)


@pytest.fixture
def client(world):
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(world.users.bureau_js, 'rows')[1]}"})


@pytest.fixture
def firms(world):
    today = timezone.localdate()
    more = [firm(f"苏州测试{n}科技有限公司", world.regions.sip) for n in range(5)]
    held, lapsed, future = more[:3]
    FirmDesignation.objects.create(firm=held, kind="high_tech", granted_on=today - 30 * DAY,
                                   expires_on=today + 30 * DAY)
    FirmDesignation.objects.create(firm=held, kind="tech_sme", granted_on=today - 30 * DAY)
    FirmDesignation.objects.create(firm=lapsed, kind="high_tech", granted_on=today - 400 * DAY,
                                   expires_on=today - DAY)
    FirmDesignation.objects.create(firm=future, kind="gazelle", granted_on=today + DAY)
    FirmDesignation.objects.create(firm=world.firm_a, kind="high_tech", granted_on=today, expires_on=today)
    return [world.firm_a, world.firm_b, *more]


@pytest.mark.django_db
class TestFirmRows:
    def test_each_row_is_what_the_detail_says(self, client, firms):
        items = client.get("/api/v1/firms?limit=100").json()["items"]
        assert {item["id"] for item in items} == {f.pk for f in firms} == set(Firm.objects.values_list("pk", flat=True))
        for item in items:
            detail = client.get(f"/api/v1/firms/{item['id']}").json()
            assert item == detail and list(item) == list(detail)  # same values, same keys, same order
        designations = {item["name"]: item["designations"] for item in items}
        assert designations["苏州测试0科技有限公司"] == ["high_tech", "tech_sme"]
        assert designations["苏州测试1科技有限公司"] == designations["苏州测试2科技有限公司"] == []
        assert designations["苏州微纳传感科技有限公司"] == ["high_tech", "tech_sme"]

    def test_the_filtered_page_stays_at_two_or_three_queries(self, client, firms):
        url = "/api/v1/firms?region=320500&industry_field=ai"
        client.get(url)  # the token and the page's compiled query are remembered from here on (core.compiled)
        with CaptureQueriesContext(connection) as few:
            assert client.get(f"{url}&limit=50").json()["count"] == 6
        # the page and the page's designations, whatever the page size; a page that is not full is the last,
        # so it tells the count itself
        assert len(few.captured_queries) == 2, [q["sql"] for q in few.captured_queries]
        with CaptureQueriesContext(connection) as full:
            assert client.get(f"{url}&limit=5").json()["count"] == 6
        assert len(full.captured_queries) == 3, [q["sql"] for q in full.captured_queries]  # and the count
