"""Budgets are planning figures of the bureau that funds a policy: the policy page and the ledger endpoint
show them only to roles that may view `policies.budget`, and only within the reader's region."""

import pytest
from django.urls import reverse

from fuhua.policies import services
from fuhua.policies.models import Budget, Policy
from fuhua.policies.testing import suzhou
from fuhua.testing import api_client, web_client

pytestmark = pytest.mark.django_db
CODE = "suzhou-2020-carriers"


@pytest.fixture
def policy(world):
    services.sync_policies()
    suzhou(world)
    policy = Policy.objects.get(code=CODE)
    assert Budget.objects.filter(policy=policy).exists()
    return policy


def _page(user, policy) -> str:
    response = web_client(user).get(reverse("policies:policy_detail", kwargs={"pk": policy.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _ledger(user, policy) -> dict:
    response = api_client(user).get(f"/api/v1/policies/{policy.pk}/ledger")
    assert response.status_code == 200
    return response.json()


def test_the_funding_bureau_sees_the_budget(world, policy):
    page = _page(world.users.bureau_sz, policy)
    assert 'data-table="budgets"' in page and 'data-table="ledger-totals"' in page
    assert [b["year"] for b in _ledger(world.users.bureau_sz, policy)["budgets"]] == sorted(
        Budget.objects.filter(policy=policy).values_list("year", flat=True))


@pytest.mark.parametrize("who", ["operator_a", "firm_a", "expert"])
def test_other_roles_see_the_ledger_totals_but_no_budget(world, policy, who):
    user = getattr(world.users, who)
    page = _page(user, policy)
    assert 'data-table="budgets"' not in page and 'data-table="ledger-totals"' in page
    assert _ledger(user, policy)["budgets"] == []


def test_a_bureau_of_another_region_sees_none_of_the_budget_lines(world, policy):
    page = _page(world.users.bureau_nj, policy)
    budgets = page.split('data-table="budgets"')[1].split("</table>")[0]
    assert 'class="empty"' in budgets and "<td class=\"num\">" not in budgets
    assert _ledger(world.users.bureau_nj, policy)["budgets"] == []
