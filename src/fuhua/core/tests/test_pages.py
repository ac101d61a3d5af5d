"""Core pages: layout, navigation by role, dashboard numbers, search, language switch, errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fuhua.incubation.models import Incubation, IncubationStatus

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def nav_keys(response):
    return [item["key"] for item in response.context["nav_items"]]


class TestLayout:
    def test_login_required_everywhere_but_login(self, client, world):
        for url in (reverse("dashboard"), reverse("search"), reverse("registry:carrier_list"),
                    reverse("registry:firm_detail", kwargs={"pk": world.firm_a.pk})):
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        assert client.get(reverse("login")).status_code == 200

    def test_login_form_signs_in(self, client, world):
        from fuhua.testing import PASSWORD

        response = client.post(reverse("login"), {"username": "bureau_sz", "password": PASSWORD})
        assert response.status_code == 302 and response.url == reverse("dashboard")

    def test_lockout_page_after_five_failures(self, client, world):
        for _ in range(5):
            client.post(reverse("login"), {"username": "bureau_sz", "password": "wrong"})
        response = client.post(reverse("login"), {"username": "bureau_sz", "password": "wrong"})
        assert response.status_code == 429
        assert "accounts/locked_out.html" in [t.name for t in response.templates]
        assert "登录已锁定" in response.content.decode()

    def test_navigation_follows_role(self, client, world):
        u = world.users
        bureau = nav_keys(get(client, u.bureau_sz, reverse("dashboard")))
        assert {"dashboard", "carriers", "recognitions", "firms", "incubations", "search"} <= set(bureau)
        association = nav_keys(get(client, u.association, reverse("dashboard")))
        assert "carriers" in association and "firms" not in association and "incubations" not in association
        firm = nav_keys(get(client, u.firm_a, reverse("dashboard")))
        assert "firms" in firm and "carriers" not in firm
        assert nav_keys(get(client, u.nobody, reverse("dashboard"))) == ["dashboard", "search"]

    def test_user_roles_and_scope_shown(self, client, world):
        html = get(client, world.users.bureau_sz, reverse("dashboard")).content.decode()
        assert "bureau_sz" in html and "苏州市" in html and "科技局工作人员" in html

    def test_htmx_script_is_local(self, client, world):
        html = get(client, world.users.bureau_sz, reverse("dashboard")).content.decode()
        assert "django_htmx/htmx-2.min.js" in html
        assert "https://" not in html.split("<body")[0]

    def test_language_switch(self, client, world):
        client.force_login(world.users.bureau_sz)
        assert "载体" in client.get(reverse("dashboard")).content.decode()
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert response.status_code == 302
        html = client.get(reverse("dashboard")).content.decode()
        assert ">Carriers<" in html and ">Dashboard<" in html
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        assert ">载体<" in client.get(reverse("dashboard")).content.decode()

    def test_404_page_is_styled(self, client, world):
        response = get(client, world.users.bureau_nj, reverse("registry:firm_detail", kwargs={"pk": world.firm_a.pk}))
        assert response.status_code == 404
        assert "404.html" in [t.name for t in response.templates]


class TestDashboard:
    def numbers(self, response):
        return response.context["carriers"], response.context.get("firm_count"), response.context.get("incubations")

    def test_bureau_city_vs_province(self, client, world):
        Incubation.objects.create(
            firm=world.firm_b, carrier=world.carrier_a, status=IncubationStatus.GRADUATED,
            entered_on=datetime.date(2022, 1, 1), left_on=timezone.localdate(), leave_reason="high-tech",
        )
        sz = get(client, world.users.bureau_sz, reverse("dashboard"))
        carriers, firms, incubations = self.numbers(sz)
        assert carriers["total"] == 1
        assert carriers["by_level"][0][1] == 1  # national
        assert firms == 2  # firm_a registered here; firm_b graduated from a Suzhou carrier
        assert incubations == {"incubating": 1, "graduated_this_year": 1}
        assert [row["name"] for row in sz.context["cities"]] == ["苏州市"]

        js = get(client, world.users.bureau_js, reverse("dashboard"))
        carriers, firms, incubations = self.numbers(js)
        assert carriers["total"] == 2
        levels = [n for _, n in carriers["by_level"]]
        assert levels == [1, 1, 0, 0, 0]  # national, provincial, municipal, district, none
        assert firms == 2 and incubations == {"incubating": 3, "graduated_this_year": 1}
        cities = {row["name"]: (row["carriers"], row["incubating"]) for row in js.context["cities"]}
        assert cities == {"南京市": (1, 2), "苏州市": (1, 1)}

    def test_association_sees_aggregates_only(self, client, world):
        response = get(client, world.users.association, reverse("dashboard"))
        assert response.context["carriers"]["total"] == 1
        assert "cities" not in response.context and "firm_count" not in response.context

    def test_queries_are_few(self, client, world, django_assert_max_num_queries):
        client.force_login(world.users.bureau_js)
        with django_assert_max_num_queries(20):
            client.get(reverse("dashboard"))

    def test_nobody_gets_a_hint(self, client, world):
        response = get(client, world.users.nobody, reverse("dashboard"))
        assert response.status_code == 200 and "carriers" not in response.context


class TestSearch:
    @pytest.mark.parametrize("query", ["微纳", "weina", "szwncg", "SZWNCG"])
    def test_chinese_pinyin_initials(self, client, world, query):
        response = get(client, world.users.bureau_sz, reverse("search"), q=query)
        firms = next(g for g in response.context["groups"] if g["title"] == "企业")
        assert [f.name for f in firms["rows"]] == ["苏州微纳传感科技有限公司"]

    def test_results_are_scoped(self, client, world):
        response = get(client, world.users.bureau_nj, reverse("search"), q="weina")
        assert all(g["count"] == 0 for g in response.context["groups"])
        response = get(client, world.users.association, reverse("search"), q="科技")
        titles = [str(g["title"]) for g in response.context["groups"]]
        assert "企业" not in titles  # associations may not view firms at all

    def test_region_picker(self, client, world):
        response = get(client, world.users.bureau_sz, reverse("region_picker"), region=["320000", "320500"])
        html = response.content.decode()
        assert 'value="320500" selected' in html and "苏州工业园区" in html
