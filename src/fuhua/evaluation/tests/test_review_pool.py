"""Drawing a result's reviewers from the expert pool (registry.experts): conflicts left out with the reason,
the drawn experts' accounts assigned, the draw recorded and reproducible, the page action."""

import pytest
from django.urls import reverse

from fuhua import testing
from fuhua.accounts.roles import Role
from fuhua.evaluation import review
from fuhua.evaluation.models import EvaluationResult, ExpertAssignment
from fuhua.evaluation.testing import accepted_reports, computed_run
from fuhua.registry.models import ExpertDraw
from fuhua.registry.testing import expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    accepted_reports(world)
    run = computed_run(world.users.admin, "js-incubator-2024", world.regions.sz)
    result = EvaluationResult.objects.get(run=run, carrier=world.carrier_a)
    pool = []
    for n, name in enumerate(["钱教授", "孙研究员", "李高工"]):
        user = testing.make_user(f"pool{n}", Role.EXPERT)
        e = expert(name, world.regions.nj, fields=("ai",), user=user)
        e.shared_with.add(world.regions.sz)  # Nanjing experts shared with Suzhou: Suzhou's bureau draws them
        pool.append(e)
    conflicted = expert("陈工", world.regions.nj, user=testing.make_user("pool_c", Role.EXPERT),
                        organisation=world.op_a)
    conflicted.shared_with.add(world.regions.sz)
    no_account = expert("无账号", world.regions.nj)
    no_account.shared_with.add(world.regions.sz)
    return result, pool, conflicted


def test_draw_assigns_the_drawn_accounts_and_records_the_exclusions(world, setup):
    result, pool, _conflicted = setup
    record, assignments = review.draw_from_pool(world.users.bureau_sz, result, 2, seed=11)
    drawn = set(record.drawn.all())
    assert len(drawn) == 2 and drawn <= set(pool)
    assert {a.expert_id for a in assignments} == {e.user_id for e in drawn}
    reasons = {e["name"]: e["code"] for e in record.excluded}
    assert reasons == {"陈工": "own_organisation", "无账号": "no_account"}
    assert record.purpose == "evaluation" and record.object_id == result.pk and record.seed == 11
    again, more = review.draw_from_pool(world.users.bureau_sz, result, 1, seed=11)  # the ones left
    assert set(again.drawn.all()) == set(pool) - drawn and len(more) == 1
    assert ExpertAssignment.objects.filter(result=result).count() == 3


def test_the_page_action_draws_and_shows_the_draw(world, setup):
    result, _pool, _ = setup
    client = testing.web_client(world.users.bureau_sz)
    page = client.get(reverse("evaluation:evaluationresult_detail", kwargs={"pk": result.pk}))
    assert reverse("evaluation:evaluationresult_draw", kwargs={"pk": result.pk}) in page.content.decode()
    response = client.post(reverse("evaluation:evaluationresult_draw", kwargs={"pk": result.pk}),
                           {"size": 2, "seed": 5})
    record = ExpertDraw.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:expertdraw_detail", kwargs={"pk": record.pk})
    detail = client.get(response["Location"]).content.decode()
    assert "陈工" in detail and "苏州纳米科技发展有限公司" in detail
    too_many = client.post(reverse("evaluation:evaluationresult_draw", kwargs={"pk": result.pk}), {"size": 5})
    assert too_many.status_code == 302 and ExpertDraw.objects.count() == 1
