"""Core pages: layout, navigation by role, search, language switch, errors."""

import pytest
from django.urls import reverse

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

    def test_navigation_follows_a_new_grant_at_once(self, client, world):
        from fuhua.accounts.models import RoleGrant
        from fuhua.accounts.roles import Role

        # The items are worked out once per combination of roles (core.context_processors): a grant given
        # between two pages changes the combination, and so the next page's bar.
        assert nav_keys(get(client, world.users.nobody, reverse("dashboard"))) == ["dashboard", "search"]
        RoleGrant.objects.create(user=world.users.nobody, role=Role.BUREAU, region=world.regions.sz)
        assert nav_keys(client.get(reverse("dashboard"))) == nav_keys(get(client, world.users.bureau_sz,
                                                                          reverse("dashboard")))

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
