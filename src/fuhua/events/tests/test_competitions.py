"""Competitions and roadshows: applications with a pitch deck (type and deadline checked), a panel drawn from the
expert pool without conflicts of interest (reproducible from its seed), score sheets within range by the panel's
experts only, ranking with the stated tie rule, advancement only on published results, winners, and investment
intents becoming deals (dealflow.intents)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from fuhua import testing
from fuhua.core.exceptions import Conflict
from fuhua.core.system import SYSTEM
from fuhua.dealflow.models import Deal
from fuhua.events import competitions
from fuhua.events.models import Application, InvestmentIntent, Score
from fuhua.events.testing import SCORES, competitions_world, deck, judged_event
from fuhua.registry import experts
from fuhua.registry.models import ExpertDraw
from fuhua.registry.testing import expert, expert_world

SHEET = {"innovation": 8, "business_model": 7, "founding_team": 9, "market": 6, "pitch": 8}  # the competition sheet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the messages as written (the Chinese comes from the catalogue)
        yield


def _panelist(w, name, **extra):
    user = testing.make_user(f"judge_{name}", "expert")
    return expert(name, w.regions.sz, user=user, **extra), user


def _apply(e, firm, project="项目", **extra):
    return competitions.apply(SYSTEM, {"event": e, "firm": firm, "project": project, "pitch_deck": deck(), **extra})


def _judging(w, *, size=1, rounds=("初赛",), advancing=1, kind="competition"):
    e = judged_event(w.carrier_a, kind=kind, rounds=rounds, panel_size=size, advancing=advancing)
    first = e.rounds.get(number=1)
    return e, first


def test_application_after_the_deadline_is_refused_naming_the_event(world):
    e = judged_event(world.carrier_a, deadline=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        competitions.apply(SYSTEM, {"event": e, "firm": world.firm_a, "project": "晚到的项目", "pitch_deck": deck()},
                           now=timezone.now() + datetime.timedelta(days=2))
    assert "closed at" in exc.value.message_dict["event"][0]
    assert not Application.objects.filter(project="晚到的项目").exists()


def test_pitch_deck_type_is_checked_by_name_and_content(world):
    e = judged_event(world.carrier_a)
    fake = SimpleUploadedFile("deck.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        _apply(e, world.firm_a, pitch_deck=fake)
    assert "not a PDF document" in exc.value.message_dict["pitch_deck"][0]
    with pytest.raises(ValidationError) as exc:
        _apply(e, world.firm_a, pitch_deck=SimpleUploadedFile("deck.exe", b"%PDF-1.4"))
    assert "pdf, ppt, pptx" in exc.value.message_dict["pitch_deck"][0]
    assert not Application.objects.filter(event=e).exists()


def test_no_application_once_judging_has_begun(world):
    _e, first, _apps = _scored_round(world)
    with pytest.raises(ValidationError) as exc:
        _apply(first.event, world.firm_b, "迟到的项目")
    assert exc.value.message_dict["event"] == ["Judging of 初赛 has begun: applications are closed."]


def test_a_round_being_judged_keeps_its_places_and_sheet(world):
    from fuhua.core import services as core

    _e, first, _apps = _scored_round(world)
    with pytest.raises(ValidationError) as exc:
        core.update_object(world.users.operator_a, first, {"advancing": 5})
    assert exc.value.message_dict["advancing"] == ["初赛 is judging: its places no longer changes."]
    first.refresh_from_db()
    assert first.advancing == 1
    core.update_object(world.users.operator_a, first, {"name": "初赛（线上）"})
    first.refresh_from_db()
    assert (first.name, first.advancing) == ("初赛（线上）", 1)


def test_a_firm_applies_once_and_enters_the_first_round(world):
    e = judged_event(world.carrier_a, rounds=("初赛", "决赛"))
    app = competitions.apply(world.users.firm_a, {"event": e, "firm": world.firm_a, "project": "传感器",
                                                  "pitch_deck": deck()})
    assert (app.round.name, app.status) == ("初赛", "submitted")
    with pytest.raises(ValidationError) as exc:
        _apply(e, world.firm_a, "第二次")
    assert "already applied" in exc.value.message_dict["firm"][0]
    with pytest.raises(ValidationError) as exc:  # another firm: out of the firm's scope
        competitions.apply(world.users.firm_a, {"event": e, "firm": world.firm_b, "project": "冒名",
                                                "pitch_deck": deck()})
    assert "firm" in exc.value.message_dict


def test_an_expert_with_a_conflict_is_never_drawn(world):
    """Own organisation (the applicant's carrier's operator), a declared relation with the applicant's carrier:
    left out with the reason, whatever the seed."""
    e, first = _judging(world, size=2)
    _apply(e, world.firm_a)
    expert_world(world)  # 周教授 (Suzhou, the world's expert user) and a Nanjing expert without an account
    _panelist(world, "钱教授")
    _panelist(world, "孙工", organisation=world.op_a)
    declared, _ = _panelist(world, "李研究员")
    declared.declared_carriers.add(world.carrier_a)
    drawn = set()
    for seed in range(12):
        record = competitions.draw_panel(world.users.operator_a, first, seed=seed)
        names = set(record.drawn.values_list("name", flat=True))
        drawn |= names
        codes = {x["name"]: x["code"] for x in record.excluded}
        assert codes["孙工"] == "own_organisation" and codes["李研究员"] == "declared"
    assert drawn == {"钱教授", "周教授"}
    assert ExpertDraw.objects.filter(content_type__model="round", object_id=first.pk).count() == 12
    first.refresh_from_db()
    assert first.draw.drawn_by == world.users.operator_a


def test_the_panel_is_reproducible_from_its_seed(world):
    e, first = _judging(world, size=2)
    _apply(e, world.firm_a)
    for n in range(4):
        _panelist(world, f"专家{n}")
    planned = experts.plan(SYSTEM, competitions.target_of(first), 2, seed=99, need_account=True,
                           pool=competitions.pool_for(e)).drawn
    record = competitions.draw_panel(world.users.operator_a, first, seed=99)
    assert list(record.drawn.order_by("pk")) == sorted(planned, key=lambda x: x.pk) and record.seed == 99


def test_a_panel_cannot_be_drawn_by_another_organiser_or_before_applications(world):
    e, first = _judging(world)
    with pytest.raises(ValidationError) as exc:
        competitions.draw_panel(world.users.operator_a, first)
    assert "No application" in exc.value.message_dict["round"][0]
    _apply(e, world.firm_a)
    with pytest.raises(PermissionDenied):
        competitions.draw_panel(world.users.operator_b, first)


def _scored_round(w, *, firms=None, size=1, advancing=1, rounds=("初赛",)):
    e, first = _judging(w, size=size, advancing=advancing, rounds=rounds)
    apps = [_apply(e, f, f"项目{n}") for n, f in enumerate(firms or [w.firm_a])]
    expert_world(w)
    competitions.draw_panel(w.users.operator_a, first, seed=1)
    competitions.transition(w.users.operator_a, first, "open_judging")
    return e, first, apps


def test_a_score_outside_the_range_is_refused_naming_the_criterion(world):
    _e, first, (app,) = _scored_round(world)
    with pytest.raises(ValidationError) as exc:
        competitions.score(world.users.expert, first, app, {**SHEET, "innovation": 12})
    assert exc.value.message_dict["innovation"][0].endswith(": 12 is outside the sheet's range 0–10.")
    with pytest.raises(ValidationError) as exc:
        competitions.score(world.users.expert, first, app, {k: v for k, v in SHEET.items() if k != "founding_team"})
    assert "founding_team" in exc.value.message_dict
    assert not Score.objects.filter(round=first).exists()


def test_an_expert_scores_only_their_own_panel(world):
    _e, first, (app,) = _scored_round(world)
    _other, other_user = _panelist(world, "局外专家")
    with pytest.raises(PermissionDenied) as exc:
        competitions.score(other_user, first, app, SHEET)
    assert "not on the panel" in str(exc.value)
    stranger = judged_event(world.carrier_b, kind="competition", title="另一场大赛")
    foreign = _apply(stranger, world.firm_b)
    with pytest.raises(ValidationError) as exc:
        competitions.score(world.users.expert, first, foreign, SHEET)
    assert "is not in" in exc.value.message_dict["application"][0]
    assert not Score.objects.exists()


def test_ranking_weighted_mean_ties_by_heaviest_criterion_then_earlier(world):
    firm_c = testing.firm("苏州第三科技有限公司", world.regions.sip)
    _e, first, (a, b, c) = _scored_round(world, firms=[world.firm_a, world.firm_b, firm_c], advancing=2)
    # a and b: the same weighted total (75.5); b is stronger on innovation (the heaviest, 30): b first.
    competitions.score(world.users.expert, first, a, {"innovation": 7, "business_model": 8, "founding_team": 8,
                                                      "market": 7, "pitch": 8})
    competitions.score(world.users.expert, first, b, {"innovation": 9, "business_model": 8, "founding_team": 5,
                                                      "market": 7, "pitch": 8})
    competitions.score(world.users.expert, first, c, {"innovation": 5, "business_model": 5, "founding_team": 5,
                                                      "market": 5, "pitch": 5})
    standings = competitions.ranking(first)
    assert [(s.application, s.rank, s.mean) for s in standings] == [(b, 1, 75.5), (a, 2, 75.5), (c, 3, 50.0)]


def test_advancing_needs_published_results_then_winners_are_announced(world):
    e, first, (a,) = _scored_round(world, rounds=("初赛", "决赛"))
    with pytest.raises(ValidationError) as exc:
        competitions.advance(world.users.operator_a, first)
    assert "no published results" in exc.value.message_dict["round"][0]
    with pytest.raises(Conflict):  # the sheet is missing
        competitions.transition(world.users.operator_a, first, "close_judging")
    competitions.score(world.users.expert, first, a, SHEET)
    competitions.transition(world.users.operator_a, first, "close_judging")
    competitions.transition(world.users.operator_a, first, "publish_results")
    ahead, behind = competitions.advance(world.users.operator_a, first)
    a.refresh_from_db()
    assert (ahead, behind, a.round.name, a.status) == ([a], [], "决赛", "submitted")
    final = e.rounds.get(number=2)
    competitions.draw_panel(world.users.operator_a, final, seed=3)
    competitions.transition(world.users.operator_a, final, "open_judging")
    competitions.score(world.users.expert, final, a, SHEET)
    for step in ("close_judging", "publish_results"):
        competitions.transition(world.users.operator_a, final, step)
    competitions.advance(world.users.operator_a, final)
    a.refresh_from_db()
    assert (a.status, a.rank) == ("winner", 1)
    assert list(competitions.winners(e)) == [a]
    with pytest.raises(Conflict):
        competitions.advance(world.users.operator_a, final)


def test_an_investment_intent_becomes_a_deal(world):
    e = judged_event(world.carrier_a, investors=[world.investor_a])
    app = _apply(e, world.firm_a)
    intent = competitions.record_intent(world.users.investor_a, {"application": app, "amount_fen": 500_000_000,
                                                                 "note": "拟领投"})
    deal = Deal.objects.get(firm=world.firm_a, institution=world.fund)
    assert (deal.status, deal.contact, intent.followup) == ("introduced", world.investor_a, deal)
    assert "500 万元" in deal.note and "拟领投" in deal.note
    again = competitions.record_intent(world.users.investor_a, {"application": app, "note": "补充"})
    assert again.followup == deal and Deal.objects.filter(firm=world.firm_a).count() == 1


def test_an_uninvited_investor_cannot_record_an_intent(world):
    e = judged_event(world.carrier_a)
    app = _apply(e, world.firm_a)
    with pytest.raises(ValidationError) as exc:
        competitions.record_intent(world.users.investor_a, {"application": app, "event": e})
    assert set(exc.value.message_dict) >= {"application"}
    assert not InvestmentIntent.objects.exists() and not Deal.objects.exists()


def test_scope_experts_see_their_panels_only(world):
    c = competitions_world(world)
    from fuhua.events.models import Round

    assert list(Round.objects.restrict(world.users.expert)) == [c.round_a]
    assert list(Score.objects.restrict(world.users.expert)) == [c.score_a]
    assert list(InvestmentIntent.objects.restrict(world.users.investor_a)) == [c.intent_a]
    assert set(Round.objects.restrict(world.users.bureau_nj)) == {c.round_b}


def test_pages_expert_score_sheet_and_operator_round(world):
    c = competitions_world(world)
    client = testing.web_client(world.users.operator_a)
    page = client.get(reverse("events:round_detail", kwargs={"pk": c.round_a.pk}))
    assert page.status_code == 200
    assert "周教授" in page.content.decode() and "MEMS 传感器" in page.content.decode()
    expert_client = testing.web_client(world.users.expert)
    form = expert_client.get(f"{reverse('events:score_create')}?round={c.round_a.pk}&application={c.app_a.pk}")
    assert form.status_code == 200 and "技术创新性" in form.content.decode()
    bad = expert_client.post(f"{reverse('events:score_create')}?round={c.round_a.pk}&application={c.app_a.pk}",
                             {**SCORES, "innovation": "11"})
    with translation.override("zh-hans"):  # the page's language (Chinese once the catalogue is compiled)
        expected = translation.gettext("%(criterion)s: %(value)s is outside the sheet's range %(min)s–%(max)s.") % {
            "criterion": "技术创新性", "value": 11.0, "min": 0, "max": 10}
    assert bad.status_code == 400 and escape(expected) in bad.content.decode()


def test_api_score_and_intent(world):
    c = competitions_world(world)
    api = testing.api_client(world.users.expert)
    bad = api.post("/api/v1/score-sheets", {"round": c.round_a.pk, "application": c.app_a.pk,
                                            "values": {**SCORES, "founding_team": 10.5}},
                   content_type="application/json")
    assert bad.status_code == 422 and "founding_team" in bad.content.decode()
    ok = api.post("/api/v1/score-sheets", {"round": c.round_a.pk, "application": c.app_a.pk, "values": SCORES},
                  content_type="application/json")
    assert ok.status_code == 201 and ok.json()["total_milli"] == 75_500
    investor = testing.api_client(world.users.investor_a)
    made = investor.post("/api/v1/investment-intents", {"application": c.app_a.pk, "amount_fen": 200_000_000},
                         content_type="application/json")
    assert made.status_code == 201 and made.json()["followup_id"] == c.intent_a.followup_id
    ranking = testing.api_client(world.users.operator_a).get(f"/api/v1/competition-rounds/{c.round_a.pk}/ranking")
    assert ranking.json() == [{"application_id": c.app_a.pk, "project": "MEMS 传感器", "rank": 1, "mean": 75.5,
                               "sheets": 1}]


def test_inbox_the_expert_has_a_round_to_score_and_the_operator_a_round_to_close(world):
    from fuhua.core.inbox import inbox

    _e, first, (a, _b) = _scored_round(world, firms=[world.firm_a, testing.firm("苏州第二传感有限公司",
                                                                                world.regions.sip)])
    competitions.score(world.users.expert, first, a, SHEET)  # one of the two sheets filled
    entry = {e.key: e for e in inbox(world.users.expert, {"expert"}, timezone.localdate())}["events.to_score"]
    listed = testing.web_client(world.users.expert).get(entry.url)
    assert (entry.count, listed.context["page"].paginator.count) == (1, 1)
    later = timezone.localdate() + datetime.timedelta(days=30)
    closing = {e.key: e for e in inbox(world.users.operator_a, {"operator"}, later)}["events.rounds_to_close"]
    assert closing.count == 1


def test_competition_pages_open_for_everyone_who_may_see_them(world):
    from fuhua.core.scoping import check
    from fuhua.events.models import Round

    c = competitions_world(world)
    objects = [c.round_a, c.round_b, c.app_a, c.app_b, c.score_a, c.score_b, c.intent_a, c.intent_b, c.show_a]
    lists = ["events:round_list", "events:application_list", "events:score_list", "events:investmentintent_list"]
    for name, user in vars(world.users).items():
        client = testing.web_client(user)
        for obj in objects:
            url = reverse(f"events:{type(obj)._meta.model_name}_detail", kwargs={"pk": obj.pk})
            expected = 200 if check(user, "view", obj) else 404 if check(user, "view", type(obj)) else 403
            assert client.get(url).status_code == expected, (name, url)
        for list_name, model in zip(lists, (Round, Application, Score, InvestmentIntent), strict=True):
            expected = 200 if check(user, "view", model) else 403
            assert client.get(reverse(list_name)).status_code == expected, (name, list_name)
    expert = testing.web_client(world.users.expert).get(reverse("events:round_detail", kwargs={"pk": c.round_a.pk}))
    assert "data-to-score" not in expert.content.decode()  # the expert has scored their one application


def test_the_pitch_deck_downloads_for_those_who_see_the_application_only(world, client):
    c = competitions_world(world)
    url = reverse("events:application_deck", kwargs={"pk": c.app_a.pk})
    testing.login(client, world.users.firm_a)
    page = client.get(reverse("events:application_detail", kwargs={"pk": c.app_a.pk}))
    assert f'href="{url}"' in page.content.decode()
    answer = client.get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"%PDF-1.4 pitch deck"
    assert "attachment" in answer["Content-Disposition"]
    testing.login(client, world.users.firm_b)  # Nanjing's firm: not its application
    assert client.get(url).status_code == 404
