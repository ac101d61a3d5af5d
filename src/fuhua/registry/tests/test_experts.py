"""The expert pool: conflicts left out with their reasons, the seeded draw reproduced, rotation, the record
of each draw, a hand-picked panel with a conflict refused naming it, scope, the pages and the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fuhua import testing
from fuhua.core.system import SYSTEM
from fuhua.registry import experts
from fuhua.registry.models import ExpertDraw, ExpertProfile
from fuhua.registry.testing import expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    w = world
    names = ["钱一", "孙二", "李三", "周四", "吴五", "郑六", "王七", "冯八"]
    return [expert(n, w.regions.sz) for n in names]


def test_conflicts_are_left_out_with_their_reasons(world, pool):
    w = world
    own = expert("陈工", w.regions.sz, organisation=w.op_a)
    declared = expert("林工", w.regions.sz)
    declared.declared_carriers.add(w.carrier_a)
    busy = expert("黄工", w.regions.sz, availability="busy", busy_until="2999-01-01")
    retired = expert("何工", w.regions.sz, availability="retired")
    plan = experts.plan(w.users.bureau_sz, experts.PanelTarget.of(w.carrier_a), 3, seed=42)
    reasons = {e.expert.name: e.code for e in plan.excluded}
    assert reasons == {"陈工": "own_organisation", "林工": "declared", "黄工": "busy", "何工": "inactive"}
    assert len(plan.drawn) == 3 and not {own, declared, busy, retired} & set(plan.drawn)
    region = experts.conflict_of(pool[0], experts.PanelTarget.of(w.carrier_a), exclude_own_region=True)
    assert region.code == "own_region" and "苏州" in region.reason
    assert experts.conflict_of(pool[0], experts.PanelTarget.of(w.carrier_b), exclude_own_region=True) is None
    assert experts.conflict_of(pool[0], experts.PanelTarget.of(w.carrier_a), need_account=True).code == "no_account"


def test_the_same_seed_draws_the_same_panel_and_rotation_prefers_the_fewest(world, pool):
    w = world
    target = experts.PanelTarget.of(w.carrier_a)
    first = experts.plan(w.users.bureau_sz, target, 3, seed=2026)
    again = experts.plan(w.users.bureau_sz, target, 3, seed=2026)
    assert [e.pk for e in first.drawn] == [e.pk for e in again.drawn]
    record = experts.draw(w.users.bureau_sz, "competition", target, 3, seed=2026)
    assert set(record.drawn.all()) == set(first.drawn) and record.seed == 2026
    assert record.drawn_by == w.users.bureau_sz and record.object_id == w.carrier_a.pk
    nxt = experts.plan(w.users.bureau_sz, target, 3, seed=2026)
    assert not set(nxt.drawn) & set(first.drawn)  # rotation: 5 experts had no panel yet


def test_a_panel_with_a_conflicted_expert_is_refused_naming_the_conflict(world, pool):
    w = world
    own = expert("陈工", w.regions.sz, organisation=w.op_a)
    with pytest.raises(ValidationError) as caught:
        experts.appoint(w.users.bureau_sz, "competition", experts.PanelTarget.of(w.carrier_a), [pool[0], own])
    assert "experts" in caught.value.message_dict
    assert "陈工" in caught.value.message_dict["experts"][0] and "苏州纳米科技发展有限公司" in \
        caught.value.message_dict["experts"][0]
    assert ExpertDraw.objects.count() == 0


def test_too_small_a_pool_names_the_size(world, pool):
    with pytest.raises(ValidationError) as caught:
        experts.plan(world.users.bureau_sz, experts.PanelTarget.of(world.carrier_a), 20, seed=1)
    assert list(caught.value.message_dict) == ["size"]


def test_a_city_bureau_draws_from_experts_shared_with_it_only(world, pool):
    w = world
    provincial = expert("省专家", w.regions.js)
    assert not ExpertProfile.objects.restrict(w.users.bureau_sz).filter(pk=provincial.pk).exists()
    provincial.shared_with.add(w.regions.sz)
    assert ExpertProfile.objects.restrict(w.users.bureau_sz).filter(pk=provincial.pk).exists()
    assert not ExpertProfile.objects.restrict(w.users.bureau_nj).filter(pk=provincial.pk).exists()
    assert not ExpertProfile.objects.restrict(w.users.bureau_nj).filter(pk=pool[0].pk).exists()


def test_a_city_bureau_may_not_change_or_delete_a_provincial_expert_shared_with_it(world, pool):
    w = world
    provincial = expert("省专家", w.regions.js)
    provincial.shared_with.add(w.regions.sz)
    for action in ("change", "delete"):
        assert not ExpertProfile.objects.restrict(w.users.bureau_sz, action).filter(pk=provincial.pk).exists()
        assert ExpertProfile.objects.restrict(w.users.bureau_js, action).filter(pk=provincial.pk).exists()
        assert ExpertProfile.objects.restrict(w.users.bureau_sz, action).filter(pk=pool[0].pk).exists()


def test_pages_and_api(world, pool):
    w = world
    client = testing.web_client(w.users.bureau_sz)
    assert client.get(reverse("registry:expertprofile_list")).status_code == 200
    response = client.post(reverse("registry:expertdraw_create"),
                           {"purpose": "competition", "carrier": w.carrier_a.pk, "size": 2, "seed": 7, "preview": "1"})
    assert response.status_code == 200 and "钱一" in response.content.decode() + "".join(e.name for e in pool)
    response = client.post(reverse("registry:expertdraw_create"),
                           {"purpose": "competition", "carrier": w.carrier_a.pk, "size": 2, "seed": 7, "record": "1"})
    record = ExpertDraw.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:expertdraw_detail",
                                                                            kwargs={"pk": record.pk})
    assert client.get(response["Location"]).status_code == 200
    api = testing.api_client(w.users.bureau_sz)
    body = api.post("/api/v1/expert-draws", {"purpose": "competition", "carrier": w.carrier_a.pk, "size": 2,
                                              "seed": 7}, content_type="application/json")
    assert body.status_code == 201, body.content
    assert body.json()["seed"] == 7 and len(body.json()["drawn"]) == 2
    assert api.get("/api/v1/experts?field=ai").json()["count"] == 8
    out = testing.api_client(w.users.bureau_nj).post(
        "/api/v1/expert-draws", {"purpose": "competition", "carrier": w.carrier_a.pk, "size": 1},
        content_type="application/json")
    assert out.status_code == 422 and "carrier" in out.content.decode()
    own = testing.api_client(w.users.expert)
    assert own.get("/api/v1/experts").json()["count"] == 0
    mine = expert("专家本人", w.regions.sz, user=w.users.expert)
    assert own.patch(f"/api/v1/experts/{mine.pk}", {"availability": "busy", "busy_until": "2030-01-01"},
                     content_type="application/json").status_code == 200
    refused = own.patch(f"/api/v1/experts/{mine.pk}", {"region": "320100"}, content_type="application/json")
    assert refused.status_code == 422 and "region" in refused.content.decode()
    assert SYSTEM  # the system actor records draws for the demo
