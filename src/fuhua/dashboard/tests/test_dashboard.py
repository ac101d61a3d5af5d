"""The dashboard: counts within the user's scope and the to-do inbox per role (on fuhua.testing.world)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fuhua.accounts.roles import roles_of
from fuhua.core.inbox import inbox, registered
from fuhua.incubation.models import Incubation, IncubationStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)  # a fixed "today": the statistics deadline of 2025 has passed, 2026's is next


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def counts(user, today=TODAY) -> dict[str, int]:
    return {e.key: e.count for e in inbox(user, roles_of(user), today)}


@pytest.fixture
def work(world):
    """One piece of work per role: reports, entitlements, applications, an appeal, reviews, applicants."""
    from fuhua.evaluation import review, services
    from fuhua.evaluation.models import EvaluationResult
    from fuhua.evaluation.testing import accepted_reports, evaluation_world
    from fuhua.policies.models import Application, ApplicationStatus, Entitlement, EntitlementStatus
    from fuhua.policies.testing import scope_objects
    from fuhua.statistics.testing import report

    report(world.carrier_a, 2025, status="submitted")
    report(world.carrier_b, 2025, status="submitted")
    report(world.carrier_a, 2026, status="draft")
    report(world.carrier_b, 2026, status="returned")
    policies = scope_objects(world)
    Entitlement.objects.filter(pk=policies.entitlements[1].pk).update(status=EntitlementStatus.CONFIRMED)
    Application.objects.filter(pk=policies.applications[0].pk).update(status=ApplicationStatus.SUBMITTED)
    ev = evaluation_world(world)  # both appeals pending; the expert's two reviews are in published runs
    accepted_reports(world)
    run = services.transition(world.users.admin, services.create_run(world.users.admin, "js-incubator-2024", 2024,
                                                                     world.regions.sz), "compute")
    review.assign_expert(world.users.admin, EvaluationResult.objects.get(run=run, carrier=world.carrier_a),
                         world.users.expert)
    firm = world.firm_b
    Incubation.objects.create(firm=firm, carrier=world.carrier_a, status=IncubationStatus.APPLIED)
    return ev


class TestInbox:
    def test_each_role_gets_its_work_in_its_scope(self, world, work):
        u = world.users
        sz = counts(u.bureau_sz)
        assert sz["statistics.review"] == 1 and sz["evaluation.appeals"] == 1 and sz["incubation.applied"] == 1
        assert sz["policies.applications"] == 1 and sz["policies.pay"] == 1  # Suzhou's policies, both cities' carriers
        assert "policies.pay" not in counts(u.bureau_nj) and "statistics.review" in counts(u.bureau_nj)
        js = counts(u.bureau_js)
        assert js["statistics.review"] == 2 and js["evaluation.appeals"] == 2 and js["policies.pay"] == 1
        # Its carrier's entitlement and its own as the carrier operator (policies.testing.firm_objects).
        assert counts(u.operator_a) == {"statistics.due": 1, "policies.confirm": 2, "incubation.applied": 1}
        assert counts(u.operator_b) == {"statistics.returned": 1, "policies.confirm": 1}  # its own as operator
        assert counts(u.expert) == {"evaluation.reviews": 1}
        assert counts(u.association) == {"statistics.members": 1}
        # Its own firm-level reward and its founder's grant (a person's account is confirmed by the firm).
        assert counts(u.firm_a) == {"incubation.own": 1, "policies.confirm": 2}
        assert counts(u.nobody) == {}

    def test_deadlines_follow_today(self, world):
        from fuhua.statistics.testing import report

        report(world.carrier_a, 2025, status="draft")
        # Before 31 March the 2025 report is due; after it, overdue and the 2026 report is the next one.
        march = inbox(world.users.operator_a, roles_of(world.users.operator_a), datetime.date(2026, 3, 1))
        assert [(e.key, e.count) for e in march] == [("statistics.due", 1)]
        assert "2026-03-31" in march[0].label and "2025" in march[0].label
        december = inbox(world.users.operator_a, roles_of(world.users.operator_a), TODAY)
        assert [(e.key, e.count) for e in december] == [("statistics.overdue", 1)]
        assert "2025" in december[0].label and "status=draft" in december[0].url and "year=2025" in december[0].url

    def test_links_open_the_filtered_lists(self, client, world, work):
        for user in vars(world.users).values():
            for entry in inbox(user, roles_of(user), TODAY):
                response = get(client, user, entry.url)
                assert response.status_code == 200, (user.username, entry.url)
                page = response.context.get("page")
                if page is not None:
                    assert page.paginator.count == entry.count, (user.username, entry.key)

    def test_dashboard_shows_the_inbox(self, client, world, work):
        html = get(client, world.users.bureau_js, reverse("dashboard")).content.decode()
        assert 'data-inbox="statistics.review"' in html and "?status=submitted" in html

    def test_one_query_per_item(self, world, work, django_assert_max_num_queries):
        user = world.users.bureau_js
        roles = roles_of(user)
        items = [i for i in registered() if i.roles & roles]  # every app's registered items for these roles
        with django_assert_max_num_queries(len(items)):
            inbox(user, roles, TODAY)


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
        assert levels[:2] == [1, 1] and sum(levels) == 2  # national, provincial; none lower, none without
        assert firms == 2 and incubations == {"incubating": 3, "graduated_this_year": 1}
        cities = {row["name"]: (row["carriers"], row["incubating"]) for row in js.context["cities"]}
        assert cities == {"南京市": (1, 2), "苏州市": (1, 1)}

    def test_association_sees_aggregates_only(self, client, world):
        response = get(client, world.users.association, reverse("dashboard"))
        assert response.context["carriers"]["total"] == 1
        assert "cities" not in response.context and "firm_count" not in response.context

    def test_firm_sees_its_own_work_not_network_counts(self, client, world):
        response = get(client, world.users.firm_a, reverse("dashboard"))
        assert "firm_count" not in response.context and "incubations" not in response.context
        assert [e.key for e in response.context["inbox"]] == ["incubation.own"]

    def test_queries_are_few(self, client, world, django_assert_max_num_queries):
        client.force_login(world.users.bureau_js)
        items = [i for i in registered() if i.roles & roles_of(world.users.bureau_js)]
        # session, user, profile, grants (4); one per inbox item; the counts by kind, level and city (8); the
        # steering panel's charts (5: the region, its cities, one read of the aggregates, targets); session save
        with django_assert_max_num_queries(4 + len(items) + 8 + 5 + 1):
            client.get(reverse("dashboard"))

    def test_nobody_gets_a_hint(self, client, world):
        response = get(client, world.users.nobody, reverse("dashboard"))
        assert response.status_code == 200 and "carriers" not in response.context


class TestNationalAdmin:
    """The national admin's start page reads the counts from the aggregates kept by `steering.refresh`: the same
    numbers as counting, in a fixed number of queries however large the country (16,000 carriers, 500,000
    tenancies in the national demo: benchmarks/steering_national.py)."""

    def live(self, client, world):
        response = get(client, world.users.admin, reverse("dashboard"))
        cities = response.context["cities"]
        return (response.context["carriers"], response.context["firm_count"], response.context["incubations"],
                (sum(r["carriers"] for r in cities), sum(r["incubating"] for r in cities)))

    def test_figures_from_the_aggregates_equal_the_counts(self, client, world):
        from fuhua.steering import aggregates

        counted = self.live(client, world)
        assert get(client, world.users.admin, reverse("dashboard")).context.get("figures_at") is None
        aggregates.rebuild()
        response = get(client, world.users.admin, reverse("dashboard"))
        carriers, firms, incubations = TestDashboard().numbers(response)
        assert response.context["figures_at"] is not None
        assert (carriers, firms, incubations) == counted[:3]
        assert {r["code"]: (r["carriers"], r["incubating"]) for r in response.context["cities"]} == {"320000": (2, 3)}
        assert counted[3] == (2, 3)  # the same, counted per city
        assert "data-freshness=\"figures\"" in response.content.decode()

    def test_query_count_does_not_grow_with_the_country(self, client, world, django_assert_max_num_queries):
        from fuhua.registry.models import Carrier
        from fuhua.steering import aggregates
        from fuhua.testing import carrier

        aggregates.rebuild()
        client.force_login(world.users.admin)
        client.get(reverse("dashboard"))
        items = [i for i in registered() if i.roles & roles_of(world.users.admin)]
        # session, user, profile, grants (4); the inbox: one or two counts per item; the policy notifications
        # (1); the steering panel: the provinces, one read of the aggregates, the targets, the start page's
        # counts (4); session save (3)
        budget = 4 + 2 * len(items) + 1 + 4 + 3
        with django_assert_max_num_queries(budget) as first:
            assert client.get(reverse("dashboard")).status_code == 200
        for i in range(40):
            carrier(f"新增孵化器{i}", world.carrier_a.operator, world.regions.sz)
        aggregates.rebuild()
        with django_assert_max_num_queries(len(first.captured_queries)):
            response = client.get(reverse("dashboard"))
        assert response.context["carriers"]["total"] == 2 + 40 == Carrier.objects.count()
        assert not any("registry_carrier" in q["sql"] or "incubation_incubation" in q["sql"]
                       for q in first.captured_queries)  # nothing counted over the population

    def test_the_attention_counts_come_from_the_aggregates_too(self, client, world):
        from fuhua.incubation import lifecycle
        from fuhua.incubation.models import Incubation
        from fuhua.steering import aggregates

        Incubation.objects.filter(firm=world.firm_a).update(entered_on=datetime.date(2015, 1, 1))  # past the limit
        live = lifecycle.attention(world.users.admin)
        assert live.overdue  # something to count
        before = get(client, world.users.admin, reverse("dashboard"))
        assert before.context["attention_url"] and before.context.get("attention") is None  # fetched after render
        aggregates.rebuild()
        response = get(client, world.users.admin, reverse("dashboard"))
        assert response.context["attention"] == {"graduation": len(live.graduation), "overdue": len(live.overdue)}
        assert "attention_url" not in response.context  # no engine run behind the page
        page = response.content.decode()
        assert 'data-stat="overdue"' in page and 'data-stats="attention"' not in page
