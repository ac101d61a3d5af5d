"""The demo's year of events: about six held events per operating carrier over the last year (the province demo:
~12,000 across its ~2,100 carriers, as the seeds' ">12,000 events a year in Jiangsu"), two participants checked
in at each, plus two published events ahead per carrier; the demo `firm` is registered for its carriers' coming
events and gave feedback on one it attended. Bulk inserts (core.bulk); dates relative to the demo's `today`."""

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
