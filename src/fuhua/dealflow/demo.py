"""The demo's investors and a year of deal flow: one or two funds for every investment institution of the
province, about a third of the investor contacts stationed at carriers of their city, financing needs of
tenant firms over the last year and deals with institutions of the same city moved through the pipeline
(most still open, some declined with a reason, a few invested → `registry.Investment` records). The demo
accounts see theirs: `investor` is stationed at the operator's flagship carrier and its institution has
deals with that carrier's tenants, among them the demo `firm`. Dates are relative to the demo's `today`."""

from __future__ import annotations

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fuhua.accounts.models import RoleGrant
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM
from fuhua.registry.choices import IndustryField, InvestmentRound
from fuhua.registry.models import Carrier, Firm, InvestorProfile, Organisation

from . import services
from .models import Deal, FinancingNeed, Fund, Stationing
from .workflow import DEAL_WORKFLOW

USES = ["扩大生产线", "研发投入与样机试制", "市场推广与渠道建设", "补充流动资金", "引进核心技术人才",
        "建设中试基地", "申请临床试验", "海外市场拓展"]
DECLINES = ["估值分歧较大", "与基金投资方向不符", "团队尚需完善", "市场空间有限", "企业暂缓融资"]
NOTES = ["载体推荐", "路演对接", "投资人驻场发现", "协会投融资对接会", ""]
STEPS = ["meet", "diligence", "term_sheet", "invest"]
# Where a deal stops: how many steps it takes (0 = still introduced … 4 = invested), weights.
REACH = [(0, 30), (1, 25), (2, 15), (3, 10), (4, 6)]
MAX_NEEDS = 400


def _grant_of(username: str, field: str):
    grant = RoleGrant.objects.filter(user__username=username).exclude(**{f"{field}__isnull": True}).first()
    return getattr(grant, f"{field}_id", None) if grant else None


def _city(code: str) -> str:
    return code[:4]


def load_dealflow(run: DemoRun) -> None:
    if Deal.objects.exists():
        run.note("dealflow: already loaded")
        return
    # Deal stages may not be dated in the future (the workflow's guard, against the real clock): a demo dated
    # ahead of the real today keeps its deal flow up to the real today.
    rng, today = random.Random(20261204), min(run.today, timezone.localdate())  # noqa: S311  (reproducible)
    with acting_as(None, source="demo"):
        institutions = list(Organisation.objects.filter(kind="investor").order_by("id"))
        run.begin(4)
        funds = _funds(rng, today, institutions)
        run.advance()
        investor_id, firm_id = _grant_of("investor", "investor"), _grant_of("firm", "firm")
        stationed = _stationings(rng, today, investor_id)
        run.advance()
        needs = _needs(rng, today, firm_id, investor_id)
        run.advance()
        deals, invested, declined = _deals(rng, today, needs, institutions, funds, investor_id)
        run.advance()
    run.note(f"dealflow: {len(funds)} funds of {len(institutions)} institutions, {stationed} stationed investors, "
             f"{len(needs)} financing needs, {deals} deals ({invested} invested, {declined} declined)")


def _funds(rng, today, institutions) -> list[Fund]:
    fields, rounds = list(IndustryField.values), list(InvestmentRound.values)
    funds = []
    for org in institutions:
        for i in range(rng.choice((1, 1, 2))):
            funds.append(Fund(institution=org, name=f"{org.name.removesuffix('有限公司')}{'一二'[i]}期基金",
                              size_fen=rng.choice((1, 2, 3, 5, 10, 20)) * 100_000_000_00,
                              stages=sorted(rng.sample(rounds[:5], 2)), industry_fields=rng.sample(fields, 3),
                              vintage=today.year - rng.randint(1, 8)))
    Fund.objects.bulk_create(funds, batch_size=2000)
    through = Fund.regions.through
    through.objects.bulk_create([through(fund_id=f.pk, region_id=f.institution.region_id) for f in funds])
    return funds


def _stationings(rng, today, investor_id) -> int:
    carriers: dict[str, list[int]] = {}
    for pk, region in Carrier.objects.order_by("id").values_list("id", "region_id"):
        carriers.setdefault(_city(region), []).append(pk)
    rows = []
    for contact in InvestorProfile.objects.order_by("id"):
        choices = carriers.get(_city(contact.region_id))
        if choices and (contact.pk == investor_id or rng.random() < 0.35):
            rows.append(Stationing(investor=contact, carrier_id=rng.choice(choices),
                                   since=today - datetime.timedelta(days=rng.randint(30, 900))))
    if investor_id:
        flagship = (RoleGrant.objects.filter(user__username="operator").exclude(organisation__isnull=True)
                    .values_list("organisation_id", flat=True).first())
        carrier = Carrier.objects.filter(operator_id=flagship).order_by("id").first() if flagship else None
        rows = [r for r in rows if r.investor_id != investor_id]
        if carrier is not None:
            rows.append(Stationing(investor_id=investor_id, carrier=carrier,
                                   since=today - datetime.timedelta(days=400)))
    Stationing.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _needs(rng, today, firm_id, investor_id) -> list[FinancingNeed]:
    tenants = list(Firm.objects.filter(incubations__status="incubating").distinct().order_by("id")
                   .values_list("id", "region_id", "founded"))
    picked = rng.sample(tenants, min(len(tenants), MAX_NEEDS))
    if firm_id and all(t[0] != firm_id for t in picked):
        picked += [t for t in tenants if t[0] == firm_id]
    rounds = ["seed", "angel", "angel", "pre_a", "a", "a", "b"]
    needs = []
    for pk, region, founded in picked:
        posted = today - datetime.timedelta(days=rng.randint(5, 360))
        if founded and posted < founded:
            posted = founded
        needs.append(FinancingNeed(firm_id=pk, amount_fen=rng.choice((50, 100, 200, 300, 500, 1000, 3000)) * 10_000_00,
                                   stage=rng.choice(rounds), use=rng.choice(USES), posted_on=posted))
        needs[-1].region_code = region
    FinancingNeed.objects.bulk_create(needs, batch_size=2000)
    return needs


def _deals(rng, today, needs, institutions, funds, investor_id):
    by_city: dict[str, list[Organisation]] = {}
    for org in institutions:
        by_city.setdefault(_city(org.region_id), []).append(org)
    funds_of: dict[int, list[Fund]] = {}
    for f in funds:
        funds_of.setdefault(f.institution_id, []).append(f)
    contacts: dict[int, list[int]] = {}
    for pk, org in InvestorProfile.objects.order_by("id").values_list("id", "institution_id"):
        contacts.setdefault(org, []).append(pk)
    own_org = InvestorProfile.objects.filter(pk=investor_id).values_list("institution_id", flat=True).first()
    own_tenants = set(Firm.objects.filter(
        incubations__status="incubating", incubations__carrier__stationed_investors__investor_id=investor_id)
        .values_list("id", flat=True)) if investor_id else set()
    deals = []
    for need in needs:
        orgs = by_city.get(_city(need.region_code)) or institutions
        if not orgs or (rng.random() < 0.25 and need.firm_id not in own_tenants):
            continue
        chosen = rng.sample(orgs, min(len(orgs), rng.choice((1, 1, 2))))
        if own_org and need.firm_id in own_tenants and all(o.pk != own_org for o in chosen):
            chosen.append(next(o for o in institutions if o.pk == own_org))
        for org in chosen:
            introduced = min(today, need.posted_on + datetime.timedelta(days=rng.randint(0, 30)))
            fund = rng.choice(funds_of[org.pk]) if funds_of.get(org.pk) else None
            contact = rng.choice(contacts[org.pk]) if contacts.get(org.pk) else None
            deals.append(Deal(need=need, firm_id=need.firm_id, institution=org, fund=fund, contact_id=contact,
                              note=rng.choice(NOTES), introduced_on=introduced))
    Deal.objects.bulk_create(deals, batch_size=2000)
    invested = declined = 0
    reach, weights = zip(*REACH, strict=True)
    for deal in deals:
        steps = rng.choices(reach, weights)[0]
        day = deal.introduced_on
        for name in STEPS[:steps]:
            nxt = day + datetime.timedelta(days=rng.randint(7, 45))
            if nxt > today:
                break
            day = nxt
            try:
                if name == "invest":
                    amount = deal.need.amount_fen * rng.choice((1, 1, 2)) // 2
                    with transaction.atomic():  # the step and its Investment, or neither
                        DEAL_WORKFLOW.apply(SYSTEM, deal, name, on=day, amount_fen=amount, round=deal.need.stage)
                        services.record_investment(SYSTEM, deal)
                    invested += 1
                else:
                    DEAL_WORKFLOW.apply(SYSTEM, deal, name, on=day)
            except ValidationError:
                deal.refresh_from_db()
                break
    for deal in deals:
        if deal.status in ("introduced", "meeting", "due_diligence", "term_sheet") and rng.random() < 0.18:
            last = max(d for d in (deal.introduced_on, deal.meeting_on, deal.diligence_on, deal.term_sheet_on) if d)
            day = min(today, last + datetime.timedelta(days=rng.randint(5, 30)))
            DEAL_WORKFLOW.apply(SYSTEM, deal, "decline", reason=rng.choice(DECLINES), on=day)
            declined += 1
    return len(deals), invested, declined
