"""Deal flow: the pipeline moves one stage at a time (backwards and skipping refused with the reason), the
invested step writes the Investment in the same transaction (a refused record leaves nothing written),
scoping per role, notifications, the prefill source, pages, API and CLI."""

import datetime

import pytest
from click.testing import CliRunner
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from fuhua import testing
from fuhua.core.exceptions import Conflict
from fuhua.core.system import SYSTEM
from fuhua.dealflow import prefill, services
from fuhua.dealflow.models import Deal, FinancingNeed, Fund, Stationing
from fuhua.dealflow.testing import dealflow_world
from fuhua.registry.models import Investment

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_deal_moves_one_stage_at_a_time_never_back_nor_skipping(world):
    d = dealflow_world(world)
    deal = d.deal_a
    with pytest.raises(Conflict) as caught:  # skipping: introduced → term sheet
        services.move(SYSTEM, deal, "term_sheet", on=D(2025, 3, 1))
    assert "introduced" in str(caught.value)
    with pytest.raises(Conflict):  # skipping straight to invested
        services.move(SYSTEM, deal, "invest", on=D(2025, 3, 1), amount_fen=1, round="a")
    services.move(SYSTEM, deal, "meet", on=D(2025, 2, 10))
    services.move(SYSTEM, deal, "diligence", on=D(2025, 3, 1))
    with pytest.raises(Conflict) as caught:  # backwards: due diligence → meeting
        services.move(SYSTEM, deal, "meet", on=D(2025, 3, 2))
    assert "due_diligence" in str(caught.value)
    with pytest.raises(ValidationError) as caught:  # a stage dated before the previous one
        services.move(SYSTEM, deal, "term_sheet", on=D(2025, 2, 1))
    assert list(caught.value.message_dict) == ["on"]
    deal.refresh_from_db()
    assert deal.status == "due_diligence" and deal.meeting_on == D(2025, 2, 10) and deal.diligence_on == D(2025, 3, 1)
    with pytest.raises(ValidationError) as caught:
        services.move(SYSTEM, deal, "decline", reason="")
    assert list(caught.value.message_dict) == ["reason"]


def test_invested_writes_the_investment_in_the_same_transaction(world):
    d = dealflow_world(world)
    deal = d.deal_a
    for name, day in (("meet", D(2025, 2, 10)), ("diligence", D(2025, 3, 1)), ("term_sheet", D(2025, 4, 1))):
        services.move(SYSTEM, deal, name, on=day)
    before = Investment.objects.filter(firm=world.firm_a).count()
    with pytest.raises(ValidationError) as caught:  # no amount: named, nothing written
        services.move(SYSTEM, deal, "invest", on=D(2025, 5, 1), amount_fen=None, round="a")
    assert list(caught.value.message_dict) == ["amount_fen"]
    with pytest.raises(ValidationError) as caught:  # the Investment refuses a date before the firm was founded
        services.move(SYSTEM, deal, "invest", on=D(2025, 5, 1), amount_fen=100, round="bogus")
    assert list(caught.value.message_dict) == ["round"]
    deal.refresh_from_db()
    assert deal.status == "term_sheet" and Investment.objects.filter(firm=world.firm_a).count() == before
    services.move(world.users.investor_a, deal, "invest", on=D(2025, 5, 1), amount_fen=300_000_000, round="a")
    deal.refresh_from_db()
    inv = deal.investment
    assert (deal.status, inv.firm_id, inv.amount_fen, inv.date, inv.round, inv.investor_id, inv.investor_name) == (
        "invested", world.firm_a.pk, 300_000_000, D(2025, 5, 1), "a", world.fund.pk, "元禾原点创业投资基金")
    assert Investment.objects.filter(firm=world.firm_a).count() == before + 1
    with pytest.raises(Conflict):
        services.move(SYSTEM, deal, "decline", reason="反悔")


def test_an_investment_record_refused_leaves_the_deal_at_term_sheet(world):
    d = dealflow_world(world)
    deal = d.deal_b
    for name, day in (("meet", D(2025, 2, 10)), ("diligence", D(2025, 3, 1)), ("term_sheet", D(2025, 4, 1))):
        services.move(SYSTEM, deal, name, on=day)
    world.firm_b.founded = D(2025, 6, 1)  # the firm "founded" after the invest date: the Investment refuses it
    world.firm_b.save()
    with pytest.raises(ValidationError) as caught:
        services.move(SYSTEM, deal, "invest", on=D(2025, 5, 1), amount_fen=100_000_000, round="angel")
    assert list(caught.value.message_dict) == ["on"]
    deal.refresh_from_db()
    assert deal.status == "term_sheet" and deal.invested_on is None and deal.investment_id is None
    assert not Investment.objects.filter(firm=world.firm_b, amount_fen=100_000_000).exists()


def test_scoping_per_role(world):
    d = dealflow_world(world)
    u = world.users
    assert set(Deal.objects.restrict(u.investor_a)) == {d.deal_a}  # its institution's deals
    assert set(Deal.objects.restrict(u.firm_a)) == {d.deal_a}
    assert set(Deal.objects.restrict(u.firm_b)) == {d.deal_b}
    assert set(Deal.objects.restrict(u.operator_a)) == {d.deal_a}
    assert set(Deal.objects.restrict(u.bureau_sz)) == {d.deal_a}
    assert set(FinancingNeed.objects.restrict(u.investor_a)) == {d.need_a}
    assert set(Fund.objects.restrict(u.investor_a)) == {d.fund_a}
    assert set(Stationing.objects.restrict(u.operator_a)) == {d.stationing_a}
    with pytest.raises(ValidationError) as caught:  # a fund of another institution
        services.introduce(SYSTEM, {"firm": world.firm_a, "institution": world.fund, "fund": d.fund_b,
                                    "introduced_on": D(2025, 3, 1)})
    assert list(caught.value.message_dict) == ["fund"]
    with pytest.raises(ValidationError) as caught:  # a need of another firm
        services.introduce(SYSTEM, {"need": d.need_b, "firm": world.firm_a, "institution": world.fund,
                                    "introduced_on": D(2025, 3, 1)})
    assert list(caught.value.message_dict) == ["need"]


def test_stage_changes_notify_the_firm_and_the_investor(world, django_capture_on_commit_callbacks):
    d = dealflow_world(world)
    world.users.investor_a.email, world.users.firm_a.email = "inv@example.cn", "firm@example.cn"
    world.users.investor_a.save()
    world.users.firm_a.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.move(SYSTEM, d.deal_a, "meet", on=D(2025, 2, 10))
    assert len(mail.outbox) == 1 and set(mail.outbox[0].to) == {"inv@example.cn", "firm@example.cn"}
    assert "meeting" in mail.outbox[0].subject or "会谈" in mail.outbox[0].subject


def test_prefill_reads_the_records(world):
    d = dealflow_world(world)
    ids = [world.carrier_a.pk, world.carrier_b.pk]
    assert prefill.deals(ids, 2025) == {world.carrier_a.pk: 1, world.carrier_b.pk: 1}
    assert prefill.needs(ids, 2025) == {world.carrier_a.pk: 1, world.carrier_b.pk: 1}
    assert prefill.stationed(ids, 2025) == {world.carrier_a.pk: 1, world.carrier_b.pk: 1}
    assert prefill.invested_deals(ids, 2025) == {}
    for name, day in (("meet", D(2025, 2, 10)), ("diligence", D(2025, 3, 1)), ("term_sheet", D(2025, 4, 1))):
        services.move(SYSTEM, d.deal_a, name, on=day)
    services.move(SYSTEM, d.deal_a, "invest", on=D(2025, 5, 1), amount_fen=300_000_000, round="a")
    assert prefill.invested_deals(ids, 2025) == {world.carrier_a.pk: 1}
    assert prefill.deals(ids, 2026) == {world.carrier_b.pk: 1}  # invested in 2025: no longer in progress


def test_pages_api_and_cli(world):
    d = dealflow_world(world)
    client = testing.web_client(world.users.investor_a)
    page = client.get(reverse("dealflow:home"))
    assert page.status_code == 200 and world.firm_a.name in page.content.decode()
    assert world.firm_b.name not in page.content.decode()
    assert client.get(reverse("dealflow:deal_detail", kwargs={"pk": d.deal_b.pk})).status_code == 404
    moved = client.post(reverse("dealflow:deal_transition", kwargs={"pk": d.deal_a.pk}),
                        {"transition": "meet", "on": "2025-02-10"})
    assert moved.status_code == 302
    refused = client.post(reverse("dealflow:deal_transition", kwargs={"pk": d.deal_a.pk}),
                          {"transition": "invest", "on": "2025-03-01", "amount_yuan": "100", "round": "a"})
    assert refused.status_code == 400
    d.deal_a.refresh_from_db()
    assert d.deal_a.status == "meeting"
    api = testing.api_client(world.users.investor_a)
    back = api.post(f"/api/v1/deals/{d.deal_a.pk}/transitions/meet", {"on": "2025-02-11"},
                    content_type="application/json")
    assert back.status_code == 409
    ok = api.post(f"/api/v1/deals/{d.deal_a.pk}/transitions/diligence", {"on": "2025-03-01"},
                  content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "due_diligence"
    assert api.get(f"/api/v1/deals/{d.deal_b.pk}").status_code == 404
    firm = testing.api_client(world.users.firm_a)
    posted = firm.post("/api/v1/financing-needs", {"firm": world.firm_a.pk, "amount_fen": 1_000_000, "stage": "b",
                                                  "use": "并购", "posted_on": "2025-06-01"},
                       content_type="application/json")
    assert posted.status_code == 201 and posted.json()["status"] == "open", posted.content.decode()
    other = firm.post("/api/v1/financing-needs", {"firm": world.firm_b.pk, "amount_fen": 1_000_000, "stage": "b",
                                                 "use": "x", "posted_on": "2025-06-01"},
                      content_type="application/json")
    assert other.status_code == 422 and "firm" in other.content.decode()
    operator = testing.api_client(world.users.operator_a)
    created = operator.post("/api/v1/deals", {"firm": world.firm_a.pk, "institution": d.institution_b.pk,
                                              "introduced_on": "2025-06-02"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "introduced"
    bureau = testing.web_client(world.users.bureau_sz)
    board = bureau.get(reverse("dealflow:home")).content.decode()
    assert world.firm_a.name in board and world.firm_b.name not in board
    export = bureau.get(reverse("dealflow:deal_list"), {"export": "csv", "status": "due_diligence"})
    rows = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    assert export.status_code == 200 and world.firm_a.name in rows and world.firm_b.name not in rows
    from fuhua.dealflow.cli import dealflow

    out = CliRunner().invoke(dealflow, ["pipeline", "--user", world.users.firm_b.username])
    assert out.exit_code == 0 and world.firm_b.name in out.output and "1 deal(s)" in out.output
    out = CliRunner().invoke(dealflow, ["needs", "--user", world.users.firm_b.username, "--status", "open"])
    assert out.exit_code == 0 and "1 need(s)" in out.output


def test_the_need_select_reads_its_firms_in_one_query(world, django_assert_num_queries):
    # Each option names the need's firm (FinancingNeed.__str__): with `label_related` the select joins the firms,
    # rather than fetching each option's firm on its own (one query per need, on every deal form).
    from fuhua.dealflow.forms import DealForm

    d = dealflow_world(world)
    for n in range(5):
        services.post_need(SYSTEM, {"firm": world.firm_a, "amount_fen": 1_000_000 + n, "stage": "seed",
                                    "use": f"用途{n}", "posted_on": D(2025, 1, 1)})
    field = DealForm(user=world.users.admin).fields["need"]
    with django_assert_num_queries(1):
        options = [choice for choice in field.choices]  # list() would ask for a count first
    assert len(options) == FinancingNeed.objects.count() + 1  # and the empty choice
    assert str(d.need_a) in [str(label) for _, label in options]
