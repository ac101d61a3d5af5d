"""A roadshow from publication to graduation in Debian's chromium, on the small demo as of today: the operator
publishes a roadshow (set up with its round, the demo investor invited), the demo firm applies with its pitch
deck (a second tenant applied too), the operator draws the panel from the expert pool and opens judging, the
panel's experts score from their inbox, the operator closes judging, publishes the results and announces the
winner; the investor records an intent for the winner, which becomes a deal, moves the deal to invested (an
Investment of 600 万元), and the carrier's page proposes the firm for graduation (the investment condition).
Screenshots of every page on the way go to FUHUA_SCREENSHOTS (var/screenshots)."""

import datetime

import pytest
from django.urls import reverse

from fuhua.events.tests import browser_kit as kit
from fuhua.testing import PASSWORD as TEST_PASSWORD
from fuhua.testing import make_user

pytestmark = pytest.mark.browser
live_demo = kit.live_demo


def test_a_roadshow_from_publication_to_graduation(page, live_server, live_demo, tmp_path):
    from django.utils import timezone

    from fuhua.accounts.models import RoleGrant
    from fuhua.core.system import SYSTEM
    from fuhua.dealflow.models import Deal
    from fuhua.events import competitions, services
    from fuhua.events.models import Application, Round
    from fuhua.events.testing import deck
    from fuhua.incubation import lifecycle
    from fuhua.incubation.models import Incubation
    from fuhua.registry.models import ExpertProfile, Firm, InvestorProfile
    from fuhua.registry.testing import expert

    base, password = live_server.url, live_demo
    firm_id = RoleGrant.objects.get(user__username="firm").firm_id
    incubation = Incubation.objects.get(firm_id=firm_id, status="incubating")
    carrier = incubation.carrier
    investor = InvestorProfile.objects.get(user__username="investor")
    other = (Firm.objects.filter(incubations__carrier=carrier, incubations__status="incubating")
             .exclude(pk=firm_id).order_by("id").first())
    # A judge with an account in the carrier's city besides the demo expert (who may have declared a relation).
    judge_user = make_user("judge_browser", "expert")
    expert("钱评委", carrier.region.parent if carrier.region.level == "county" else carrier.region, user=judge_user)
    passwords = {"expert": password, "judge_browser": TEST_PASSWORD}

    # Set up as a draft with its round (the form pages are tested elsewhere); the investor is invited.
    starts = timezone.now() + datetime.timedelta(days=3)
    show = services.create_event(SYSTEM, {"kind": "roadshow", "title": "浏览器测试投融资路演", "carrier": carrier,
                                          "starts_at": starts, "ends_at": starts + datetime.timedelta(hours=3),
                                          "place": "路演厅"})
    show.investors.set([investor])
    competitions.add_round(SYSTEM, {"event": show, "number": 1, "name": "路演", "starts_on": starts.date(),
                                    "ends_on": starts.date(), "sheet": "roadshow", "panel_size": 1, "advancing": 1})
    rnd = Round.objects.get(event=show)

    def investment_condition() -> bool:
        """Whether the rules propose the firm for graduation by the investment condition (it may already be
        proposed by another one, e.g. as a high-tech enterprise)."""
        proposals = lifecycle.graduation_proposals(SYSTEM, carriers=[carrier])
        return any(p.incubation.pk == incubation.pk and "graduation_by_investment" in p.conditions
                   for p in proposals)

    assert not investment_condition()

    # The operator publishes the roadshow.
    operator = kit.Person(page, base, password, "operator", "competition")
    operator.go(reverse("events:event_detail", kwargs={"pk": show.pk}))
    operator.snap("draft")
    operator.submit("form[data-transition=publish] button[type=submit]")
    show.refresh_from_db()
    assert show.status == "published", operator.message()
    operator.snap("published")

    # The firm applies with its pitch deck; another tenant applied too.
    firm = kit.Person(page, base, password, "firm", "competition")
    firm.go(f"{reverse('events:application_create')}?event={show.pk}&firm={firm_id}")
    page.fill("#id_project", "智能传感芯片量产项目")
    deck_file = tmp_path / "路演材料.pdf"
    deck_file.write_bytes(b"%PDF-1.4\n% pitch deck\n")
    page.set_input_files("#id_pitch_deck", str(deck_file))
    firm.snap("apply")
    firm.submit("form.object-form button[type=submit]")
    mine = Application.objects.get(event=show, firm_id=firm_id)
    assert page.url.endswith(reverse("events:application_detail", kwargs={"pk": mine.pk})), firm.message()
    firm.snap("applied")
    competitions.apply(SYSTEM, {"event": show, "firm": other, "project": "工业视觉检测", "pitch_deck": deck()})

    # The operator draws the panel (seed recorded) and opens judging.
    operator = kit.Person(page, base, password, "operator", "competition")
    operator.go(reverse("events:round_detail", kwargs={"pk": rnd.pk}))
    page.fill("form[data-draw] input[name=seed]", "20261202")
    operator.submit("form[data-draw] button[type=submit]")
    rnd.refresh_from_db()
    assert rnd.draw is not None and rnd.draw.seed == 20261202, operator.message()
    drawn = list(rnd.draw.drawn.select_related("user"))
    assert len(drawn) == 1 and drawn[0].user.username in passwords
    operator.submit("form[data-transition=open_judging] button[type=submit]")
    rnd.refresh_from_db()
    assert rnd.status == "judging", operator.message()
    operator.snap("panel-drawn")

    # The panel's expert scores both applications from the inbox; the winner is the firm.
    judge = drawn[0].user.username
    panelist = kit.Person(page, base, passwords[judge], judge, "competition")
    panelist.inbox("events.to_score")
    panelist.go(reverse("events:round_detail", kwargs={"pk": rnd.pk}))
    sheets = {mine.pk: {"innovation": 9, "business_model": 8, "founding_team": 9, "market": 8, "financing": 8},
              Application.objects.get(event=show, firm=other).pk: {"innovation": 6, "business_model": 6,
                                                                     "founding_team": 7, "market": 6, "financing": 6}}
    for application_id, values in sheets.items():
        page.click(f"a[data-score='{application_id}']")
        page.wait_for_load_state()
        for code, value in values.items():
            page.fill(f"#id_{code}", str(value))
        panelist.snap(f"score-{application_id}")
        panelist.submit("form.object-form button[type=submit]")
        assert f"/events/rounds/{rnd.pk}/" in page.url, panelist.message()
    assert competitions.missing_scores(rnd) == []

    # The operator closes judging, publishes the results and announces the winner.
    operator = kit.Person(page, base, password, "operator", "competition")
    operator.go(reverse("events:round_detail", kwargs={"pk": rnd.pk}))
    operator.submit("form[data-transition=close_judging] button[type=submit]")
    operator.submit("form[data-transition=publish_results] button[type=submit]")
    operator.snap("results")
    operator.submit("form[data-advance] button[type=submit]")
    mine.refresh_from_db()
    assert (mine.status, mine.rank) == ("winner", 1), operator.message()
    operator.snap("winner")

    # The investor records an intent for the winner: a deal follows.
    investor_person = kit.Person(page, base, password, "investor", "competition")
    investor_person.go(f"{reverse('events:investmentintent_create')}?application={mine.pk}&investor={investor.pk}")
    page.fill("#id_amount_fen", "6000000")
    page.fill("#id_note", "拟领投 A 轮")
    investor_person.submit("form.object-form button[type=submit]")
    deal = Deal.objects.get(firm_id=firm_id, institution_id=investor.institution_id, status="introduced")
    assert page.locator(f"[data-deal='{deal.pk}']").count() == 1, investor_person.message()
    investor_person.snap("intent")

    # …and moves the deal through its stages to invested (600 万元): an Investment.
    page.click(f"[data-deal='{deal.pk}']")
    page.wait_for_load_state()
    for step in ("meet", "diligence", "term_sheet"):
        investor_person.submit(f"form[data-transition={step}] button[type=submit]")
    page.fill("form[data-transition=invest] input[name=amount_yuan]", "6000000")
    page.select_option("form[data-transition=invest] select[name=round]", "a")
    investor_person.submit("form[data-transition=invest] button[type=submit]")
    deal.refresh_from_db()
    assert (deal.status, deal.investment.amount_fen) == ("invested", 600_000_000), investor_person.message()
    investor_person.snap("invested")

    # The operator sees the firm proposed for graduation on the carrier's page.
    operator = kit.Person(page, base, password, "operator", "competition")
    assert investment_condition()
    operator.go(reverse("registry:carrier_detail", kwargs={"pk": carrier.pk}))
    proposal = page.locator(f"[data-proposal='{incubation.pk}']")
    assert proposal.count() == 1
    assert "累计获得天使投资或风险投资超过规定额度" in proposal.inner_text()
    operator.snap("graduation-proposed")
    assert ExpertProfile.objects.filter(user__username=judge).exists()
