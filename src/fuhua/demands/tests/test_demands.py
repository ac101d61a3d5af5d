"""Demands and challenges: the workflows, bad input (a late response, picking twice, a response by a role that
does not respond, a job post without positions), explainable matching with exact reasons and order (and its
index rebuilt on change), the reverse direction, notifications, expiry, pages and API."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from fuhua import testing
from fuhua.core.exceptions import Conflict
from fuhua.core.system import SYSTEM
from fuhua.dealflow.models import Fund
from fuhua.demands import matching, services
from fuhua.demands.models import Challenge, ChallengeResponse
from fuhua.demands.testing import ahead, demands_world, open_challenge, open_demand
from fuhua.mentoring.models import PoolMentor

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_demand_workflow_and_bad_input(world):
    with pytest.raises(ValidationError) as caught:
        services.post_demand(SYSTEM, {"firm": world.firm_a, "kind": "talent", "title": "招聘算法工程师",
                                      "description": "负责传感器数据算法", "industry_field": "ai",
                                      "region": world.regions.sip, "deadline": ahead()})
    assert list(caught.value.message_dict) == ["positions"]
    with pytest.raises(ValidationError) as caught:
        services.post_demand(SYSTEM, {"firm": world.firm_a, "kind": "financing", "title": "融资",
                                      "description": "A轮", "industry_field": "ai", "region": world.regions.sip,
                                      "deadline": ahead()})
    assert list(caught.value.message_dict) == ["stage"]
    demand = services.post_demand(world.users.firm_a, {
        "firm": world.firm_a, "kind": "talent", "positions": 2, "title": "招聘算法工程师", "description": "传感器算法",
        "industry_field": "ai", "region": world.regions.sip, "budget_fen": 30_000_000, "deadline": ahead(10)})
    assert demand.status == "draft" and demand.carrier == world.carrier_a  # filled in from the tenancy
    services.transition(world.users.firm_a, demand, "publish")
    assert demand.status == "open" and demand.published_on == TODAY()
    with pytest.raises(Conflict):  # not before its deadline
        services.transition(SYSTEM, demand, "expire")
    with pytest.raises(ValidationError) as caught:
        services.transition(world.users.firm_a, demand, "match", reason="")
    assert list(caught.value.message_dict) == ["reason"]
    services.transition(world.users.firm_a, demand, "match", reason="经孵化器推荐录用2人")
    assert (demand.status, demand.closed_on, demand.close_note) == ("matched", TODAY(), "经孵化器推荐录用2人")
    with pytest.raises(PermissionDenied):  # another firm's demand
        services.transition(world.users.firm_b, open_demand(world.firm_a), "close", reason="x")


def test_a_late_response_is_refused_naming_the_field_and_nothing_is_written(world):
    d = demands_world(world)
    Challenge.objects.filter(pk=d.challenge_a.pk).update(deadline=TODAY() - datetime.timedelta(days=1))
    before = ChallengeResponse.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.respond(world.users.expert, {"challenge": Challenge.objects.get(pk=d.challenge_a.pk),
                                              "expert": d.response_b.expert.__class__.objects.get(
                                                  user=world.users.expert), "proposal": "迟到的方案"})
    assert list(caught.value.message_dict) == ["challenge"]
    assert "closed on" in caught.value.message_dict["challenge"][0] or "截止" in caught.value.message_dict[
        "challenge"][0]
    assert ChallengeResponse.objects.count() == before
    api = testing.api_client(world.users.provider)
    late = api.post("/api/v1/challenge-responses", {"challenge": d.challenge_a.pk, "organisation": world.provider.pk,
                                                    "proposal": "再次揭榜"}, content_type="application/json")
    assert late.status_code == 422 and [e["field"] for e in late.json()["errors"]] == ["challenge"]


def test_a_firm_does_not_respond_to_a_challenge(world):
    d = demands_world(world)
    api = testing.api_client(world.users.firm_a)
    refused = api.post("/api/v1/challenge-responses", {"challenge": d.challenge_a.pk, "organisation": world.op_a.pk,
                                                       "proposal": "我们也来揭榜"}, content_type="application/json")
    assert refused.status_code == 403
    with pytest.raises(PermissionDenied):
        services.respond(world.users.mentor_a, {"challenge": d.challenge_a, "organisation": world.provider,
                                                "proposal": "x"})


def test_the_poster_picks_one_response_the_others_are_declined_and_picking_twice_is_refused(world):
    d = demands_world(world)
    world.users.provider.email = "provider@example.cn"
    world.users.provider.save()
    second = services.respond(world.users.expert, {"challenge": d.challenge_a,
                                                   "expert": world.users.expert.expert_profile,
                                                   "proposal": "分段多项式补偿"})
    with pytest.raises(PermissionDenied):  # the responder does not pick
        services.pick(world.users.provider, d.response_a)
    with pytest.raises(PermissionDenied):  # another city's bureau: not the poster
        services.pick(world.users.bureau_nj, d.response_a)
    with pytest.raises(PermissionDenied):  # a firm's challenge is the firm's to decide, not its city bureau's
        services.pick(world.users.bureau_nj, d.response_b)
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):  # the poster does not withdraw a response
        services.response_transition(world.users.bureau_sz, second, "withdraw")
    with testing_on_commit():
        services.pick(world.users.bureau_sz, d.response_a)
    d.challenge_a.refresh_from_db()
    second.refresh_from_db()
    assert (d.response_a.status, second.status, d.challenge_a.status) == ("picked", "declined", "awarded")
    assert d.challenge_a.awarded_on == TODAY() and second.decided_on == TODAY()
    assert [m.to for m in mail.outbox] == [["provider@example.cn"], ["expert@example.cn"]]
    with pytest.raises(Conflict):
        services.pick(world.users.bureau_sz, second)
    with pytest.raises(Conflict):
        services.pick(world.users.bureau_sz, d.response_a)
    api = testing.api_client(world.users.bureau_sz)
    again = api.post(f"/api/v1/challenge-responses/{second.pk}/transitions/pick", {"reason": ""},
                     content_type="application/json")
    assert again.status_code == 409


class testing_on_commit:
    def __enter__(self):
        from django.db import connection

        self.connection = connection
        self.start = len(connection.run_on_commit)

    def __exit__(self, *exc):
        callbacks = self.connection.run_on_commit[self.start:]
        del self.connection.run_on_commit[self.start:]
        for _sids, func, _robust in callbacks:
            func()


def _pool(world):
    a = PoolMentor.objects.create(profile=world.mentor_a, specialities="MEMS传感器 封装工艺 融资路演")
    b = PoolMentor.objects.create(profile=world.mentor_b, specialities="医药注册 临床试验")
    return a, b


def test_matching_reasons_and_order_are_exact_and_stable(world):
    d = demands_world(world)
    _a, b = _pool(world)
    found = matching.match_demand(world.users.firm_a, d.demand_a)
    assert list(found) == ["expert", "challenge", "provider", "product", "mentor"]
    mentors = [(m.name, m.score, m.reasons) for m in found["mentor"]]
    assert mentors == [("李明", 0.82, ("同属人工智能领域", "同在苏州市", "描述相近（mems、传感器、封装）",
                                      "当前辅导0/5，尚有名额"))]
    experts = [(m.name, m.reasons) for m in found["expert"]]
    assert experts == [("周教授", ("同属人工智能领域", "同在苏州市", "可接受邀请"))]
    challenges = [(m.name, m.reasons, m.url) for m in found["challenge"]]
    assert challenges == [("高精度MEMS传感器温漂补偿算法", (
        "同属人工智能领域", "同在苏州市", "描述相近（mems、传感器、温漂）",
        f"悬赏100 万元，{ahead(60):%Y-%m-%d}截止揭榜"),
        reverse("demands:challenge_detail", kwargs={"pk": d.challenge_a.pk}))]
    assert matching.match_demand(world.users.firm_a, d.demand_a) == found  # reproducible
    # A change to the pool rebuilds the index: the biomedicine mentor now describes the need's words.
    b.specialities = "MEMS传感器封装"
    b.save()
    again = matching.match_demand(world.users.firm_a, d.demand_a)["mentor"]
    assert [m.name for m in again] == ["李明", "赵静"] and again[1].reasons[0] == "同在江苏省"
    assert again[0].url is None  # the firm may not open the mentor's pool page (no pairing with them)


def test_investors_match_by_field_stage_and_the_reverse_direction(world):
    d = demands_world(world)
    Fund.objects.create(institution=world.fund, name="元禾天使基金", size_fen=10**11, stages=["seed", "angel"],
                        industry_fields=["electronic_info"], vintage=2020)
    found = matching.match_demand(world.users.firm_b, d.demand_b)["investor"]
    assert [(m.name, m.reasons[:3]) for m in found] == [
        ("孙悦", ("同属电子信息领域", "投资阶段含天使轮", "同在南京市")),
        ("陈晨", ("同属电子信息领域", "投资阶段含天使轮", "同在江苏省"))]
    fits = services.fits_for(world.users.investor_a)
    assert [(demand, reasons[:2]) for demand, _score, reasons in fits] == [
        (d.demand_b, ("同属电子信息领域", "所需天使轮在投资阶段内"))]
    assert services.fits_for(world.users.firm_a) is None
    api = testing.api_client(world.users.investor_a)
    assert [f["demand"]["id"] for f in api.get("/api/v1/demand-fits").json()] == [d.demand_b.pk]
    assert testing.api_client(world.users.firm_a).get("/api/v1/demand-fits").status_code == 403


def test_expiry_notifies_the_poster(world):
    world.users.firm_a.email = "firm@example.cn"
    world.users.firm_a.save()
    demand = open_demand(world.firm_a, deadline=ahead(3))
    challenge = open_challenge(world.regions.sz, deadline=ahead(3))
    mail.outbox.clear()
    with testing_on_commit():
        counts = services.expire(ahead(5))
    demand.refresh_from_db()
    challenge.refresh_from_db()
    assert counts == {"demands": 1, "challenges": 1, "reminded": 0}
    assert (demand.status, challenge.status) == ("expired", "expired")
    assert [m.to for m in mail.outbox] == [["firm@example.cn", "operator_a@example.cn"]]  # firm and its operator


def test_pages_and_inbox(world):
    d = demands_world(world)
    _pool(world)
    client = testing.web_client(world.users.firm_a)
    page = client.get(reverse("demands:demand_detail", kwargs={"pk": d.demand_a.pk}))
    assert page.status_code == 200 and "同属人工智能领域" in page.content.decode()
    assert client.get(reverse("demands:demand_detail", kwargs={"pk": d.demand_b.pk})).status_code == 404
    provider = testing.web_client(world.users.provider)
    assert "高精度MEMS传感器温漂补偿算法" in provider.get(reverse("demands:challenge_list")).content.decode()
    form = provider.post(reverse("demands:challengeresponse_create"), {
        "challenge": d.challenge_b.pk, "organisation": world.provider.pk, "proposal": "边缘调度方案"})
    assert form.status_code == 302
    expert_form = testing.web_client(world.users.expert).get(reverse("demands:challengeresponse_create")).content
    assert b'name="expert"' in expert_form and b'name="organisation"' not in expert_form  # responds as an expert
    mentor = testing.web_client(world.users.mentor_a)
    assert "MEMS传感器封装工艺攻关" in mentor.get(reverse("demands:fits")).content.decode()
    from fuhua.core.inbox import inbox

    keys = {e.key: e.count for e in inbox(world.users.provider, {"service_provider"}, TODAY())}
    assert keys["demands.open_challenges"] == 2
    keys = {e.key: e.count for e in inbox(world.users.bureau_sz, {"bureau"}, TODAY())}
    assert keys["demands.responses"] == 1


def test_the_text_score_is_rank_bm25s_okapi_score():
    import numpy as np

    texts = ["MEMS传感器 封装工艺 融资路演", "医药注册 临床试验", "传感器 芯片 封装 测试 封装", "天使轮 融资 路演"]
    docs = [matching.Doc(pk=i, name="", detail="", text=t, region="320571") for i, t in enumerate(texts, start=1)]
    corpus = matching.Corpus("mentor", docs).build()
    query = matching.tokens("寻求MEMS传感器晶圆级封装合作，并计划天使轮融资")
    scores, hits = matching._text_scores(corpus, query, np.ones(len(docs), dtype=bool))
    assert np.allclose(scores, corpus.bm25.get_scores(query)) and hits == [0, 2, 3]
    assert corpus.bm25.idf["封装"] > 0  # Lucene's idf: positive although the word is in half the documents
