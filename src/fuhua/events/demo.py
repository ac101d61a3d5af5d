"""The demo's year of events: about six held events per operating carrier over the last year (the province demo:
~12,000 across its ~2,100 carriers, as 《中国高新技术产业导报》 counted Jiangsu's 2020: "创新创业活动超过1.2万场次"),
two participants checked in at each, plus two published events ahead per carrier; the demo `firm` is registered
for its carriers' coming events and gave feedback on one it attended. Bulk inserts (core.bulk); dates relative to
the demo's `today`."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from fuhua.accounts.models import RoleGrant
from fuhua.core.bulk import insert_rows
from fuhua.core.demo import DemoRun
from fuhua.registry.models import Carrier, Firm

from .models import Event, EventFeedback, Registration

KINDS = [("roadshow", "项目路演"), ("training", "创业培训"), ("salon", "创业沙龙"), ("policy_briefing", "政策宣讲会"),
         ("bootcamp", "创业训练营"), ("competition", "创新创业大赛"), ("open_day", "开放日")]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]
PER_CARRIER = 6


def load_events(run: DemoRun) -> None:
    if Event.objects.exists():
        run.note("events: already loaded")
        return
    rng, tz = random.Random(20261204), timezone.get_default_timezone()  # noqa: S311  (demo data, reproducible)
    today = run.today
    carriers = list(Carrier.objects.filter(status="operating").values_list("pk", "region_id", "name"))
    firm_grant = RoleGrant.objects.filter(user__username="firm", firm__isnull=False).first()
    demo_firm = firm_grant.firm_id if firm_grant else None
    demo_carriers = set(Firm.objects.filter(pk=demo_firm, incubations__status="incubating")
                        .values_list("incubations__carrier_id", flat=True)) if demo_firm else set()
    run.begin(3)

    def moment(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

    fields = ["kind", "title", "carrier_id", "region_id", "place", "capacity", "waitlist", "approval_required",
              "description", "online_url", "starts_at", "ends_at", "status", "cancel_reason"]
    rows = []
    for carrier_id, region_id, name in carriers:
        for n in range(PER_CARRIER + 2):
            kind, label = rng.choice(KINDS)
            ahead = n >= PER_CARRIER
            day = today + datetime.timedelta(days=rng.randint(3, 45)) if ahead else \
                today - datetime.timedelta(days=rng.randint(1, 364))
            start = moment(day, rng.choice((9, 14, 19)))
            rows.append((kind, f"{name}{label}", carrier_id, region_id, "路演厅" if kind == "roadshow" else "多功能厅",
                         rng.choice((30, 50, 80, 120)), True, False, "", "", start,
                         start + datetime.timedelta(hours=rng.choice((2, 3))), "published" if ahead else "held", ""))
    insert_rows(Event, fields, rows)
    run.advance()
    events = list(Event.objects.values_list("pk", "carrier_id", "status", "starts_at"))
    regs = []
    checked = []
    for pk, carrier_id, status, starts_at in events:
        if status == "held":
            for person in rng.sample(PEOPLE, 2):
                regs.append((pk, None, person, "attended", starts_at))
        elif demo_firm and carrier_id in demo_carriers:
            regs.append((pk, demo_firm, "张伟", "confirmed", None))
    insert_rows(Registration, ["event_id", "firm_id", "person", "status", "checked_in_at"], regs)
    run.advance()
    if demo_firm and demo_carriers:
        held = next((e for e in events if e[1] in demo_carriers and e[2] == "held"), None)
        if held is not None:
            insert_rows(Registration, ["event_id", "firm_id", "person", "status", "checked_in_at"],
                        [(held[0], demo_firm, "张伟", "attended", held[3])])
            mine = Registration.objects.filter(event_id=held[0], firm_id=demo_firm).first()
            insert_rows(EventFeedback, ["registration_id", "score", "comment"],
                        [(mine.pk, 5, "路演组织专业，收获很大")])
            checked.append(mine.pk)
    run.advance()
    run.note(f"events: {len(events)} events ({sum(1 for e in events if e[2] == 'held')} held in the last year) at "
             f"{len(carriers)} carriers, {len(regs) + len(checked)} registrations")


# --- competitions and roadshows -----------------------------------------------------------------------

COMPETITIONS_PER_YEAR = (("competition", "创新创业大赛", ("初赛", "决赛")), ("roadshow", "投融资路演", ("路演",)))
PROJECTS = ["智能传感芯片", "工业视觉检测", "医用微流控", "储能管理系统", "低空无人机巡检", "合成生物材料",
            "AI 药物筛选", "柔性显示模组", "量子加密通信", "农业机器人"]


def _deck(n: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"路演材料-{n}.pdf", b"%PDF-1.4\n% demo pitch deck\n", content_type="application/pdf")


def load_competitions(run: DemoRun) -> None:
    """Competitions and roadshows at the demo operator's carrier and a few other Suzhou carriers: last year's and
    this year's held, with scored rounds, published results and winners; and a roadshow being judged now, whose
    panel is the demo `expert` (applications to score) and which the demo investor is invited to (intents to
    record); the demo firm applied to it."""
    from fuhua.core.context import acting_as
    from fuhua.core.system import SYSTEM
    from fuhua.registry import experts
    from fuhua.registry.models import DrawPurpose, ExpertProfile, InvestorProfile

    from . import competitions
    from .models import Round, Score
    from .services import create_event, transition

    if Round.objects.exists():
        run.note("competitions: already loaded")
        return
    # The demo firm's carrier (operated by the demo operator), else the demo operator's first carrier.
    firm_id = RoleGrant.objects.filter(user__username="firm", firm__isnull=False).values_list("firm_id", flat=True)
    operator_id = RoleGrant.objects.filter(user__username="operator").values_list("organisation_id", flat=True)
    flagship = (Carrier.objects.filter(incubations__firm_id__in=list(firm_id), incubations__status="incubating")
                .order_by("id").first()
                or Carrier.objects.filter(operator_id__in=list(operator_id)).order_by("id").first())
    if flagship is None:
        run.note("competitions: no demo carrier")
        return
    rng, tz = random.Random(20261213), timezone.get_default_timezone()  # noqa: S311  (demo data, reproducible)
    others = list(Carrier.objects.filter(status="operating", region__code__startswith=flagship.region.code[:4])
                  .exclude(pk=flagship.pk).order_by("id")[:3])
    investor = InvestorProfile.objects.filter(user__username="investor").first()
    demo_firm = RoleGrant.objects.filter(user__username="firm", firm__isnull=False).values_list(
        "firm_id", flat=True).first()
    # Competitions are held through the workflow, which refuses to hold an event that has not started by the real
    # clock: a demo dated ahead of the real today keeps its competitions up to the real today (as dealflow does).
    today = min(run.today, timezone.localdate())
    run.begin(len(others) * 4 + 5)
    count = {"events": 0, "applications": 0, "scores": 0}

    def moment(day, hour=14):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

    def tenants(carrier, n):
        ids = list(Firm.objects.filter(incubations__carrier=carrier, incubations__status="incubating")
                   .order_by("id").values_list("pk", flat=True)[:n])
        return list(Firm.objects.filter(pk__in=ids).order_by("id"))

    def judged(carrier, kind, label, round_names, day, *, invite=()):
        e = create_event(SYSTEM, {"kind": kind, "title": f"{carrier.name}{day.year}年{label}", "carrier": carrier,
                                  "starts_at": moment(day), "ends_at": moment(day, 18), "place": "路演厅",
                                  "registration_deadline": moment(day - datetime.timedelta(days=14), 18),
                                  "description": "以赛代评、以赛引才：项目路演、专家评审、投资对接。"})
        for n, name in enumerate(round_names, start=1):
            competitions.add_round(SYSTEM, {"event": e, "number": n, "name": name,
                                            "starts_on": day + datetime.timedelta(days=7 * (n - 1)),
                                            "ends_on": day + datetime.timedelta(days=7 * (n - 1)),
                                            "sheet": kind, "panel_size": 5 if n < len(round_names) else 3,
                                            "advancing": 3 if n < len(round_names) else 2})
        if invite:
            e.investors.set(invite)
        transition(SYSTEM, e, "publish")
        count["events"] += 1
        return e

    def applicants(e, firms, apply_on):
        out = []
        for n, firm in enumerate(firms):
            project = f"{firm.name[:8]}{PROJECTS[n % 10]}"
            out.append(competitions.apply(SYSTEM, {"event": e, "firm": firm, "project": project,
                                                   "industry_field": firm.industry_field or "",
                                                   "pitch_deck": _deck(n)}, now=moment(apply_on)))
            count["applications"] += 1
        return out

    def judge_round(rnd, seed):
        """A past round: a panel drawn from the region's pool (accounts not needed: paper sheets entered),
        every sheet scored, results published and the outcome announced."""
        record = experts.draw(SYSTEM, DrawPurpose.COMPETITION, competitions.target_of(rnd), rnd.panel_size,
                              seed=seed, pool=competitions.pool_for(rnd.event))
        rnd.draw = record
        rnd.save(update_fields=["draw"])
        competitions.transition(SYSTEM, rnd, "open_judging")
        for expert in record.drawn.all():
            for application in competitions.entrants(rnd):
                s = Score(round=rnd, application=application, expert=expert,
                          values={c.code: rng.choice((5, 6, 6.5, 7, 7.5, 8, 8.5, 9)) for c in rnd.criteria_list()},
                          comment="")
                s.full_clean()
                s.save()
                count["scores"] += 1
        competitions.transition(SYSTEM, rnd, "close_judging")
        competitions.transition(SYSTEM, rnd, "publish_results")
        competitions.advance(SYSTEM, rnd)

    with acting_as(None, source="demo"):
        for carrier in [flagship, *others]:
            firms = tenants(carrier, 8)
            if len(firms) < 3:
                run.advance(4)
                continue
            for years_ago in (1, 0):
                for kind, label, rounds in COMPETITIONS_PER_YEAR:
                    day = today - datetime.timedelta(days=365 * years_ago + rng.randint(40, 120))
                    e = judged(carrier, kind, label, rounds, day)
                    applicants(e, firms if kind == "competition" else firms[:5], day - datetime.timedelta(days=20))
                    for rnd in e.rounds.order_by("number"):
                        judge_round(rnd, seed=rng.randint(1, 10**9))
                    transition(SYSTEM, e, "hold")
                    run.advance()
        # Now: a roadshow being judged by the demo expert, the demo investor invited: at the flagship unless the
        # expert declared a relation with it (then the next carrier the expert may judge).
        day = today + datetime.timedelta(days=1)
        mine = ExpertProfile.objects.filter(user__username="expert").first()
        host = next((c for c in [flagship, *others] if len(tenants(c, 3)) >= 3 and (
            mine is None or experts.conflict_of(mine, experts.PanelTarget.of(c), need_account=True) is None)), None)
        if host is None:
            run.advance(5)
            run.note("competitions: no carrier the demo expert may judge")
            return
        firms = tenants(host, 6)
        now_show = judged(host, "roadshow", "第四季度投融资路演", ("路演",), day,
                          invite=[investor] if investor else [])
        applicants(now_show, firms, today - datetime.timedelta(days=20))
        rnd = now_show.rounds.get()
        pool = competitions.pool_for(now_show).filter(pk=mine.pk) if mine else None
        if pool is not None and pool.exists() and experts.conflict_of(
                mine, competitions.target_of(rnd), need_account=True) is None:
            rnd.panel_size = 1
            rnd.save(update_fields=["panel_size"])
            rnd.draw = experts.draw(SYSTEM, DrawPurpose.COMPETITION, competitions.target_of(rnd), 1, seed=20261213,
                                    pool=pool, need_account=True)
            rnd.save(update_fields=["draw"])
            competitions.transition(SYSTEM, rnd, "open_judging")
        run.advance(5)
    run.note(f"competitions: {count['events']} competitions and roadshows, {count['applications']} applications, "
             f"{count['scores']} score sheets; the demo firm {'applied' if demo_firm else 'is absent'}")
