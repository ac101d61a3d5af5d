"""The demo's mentor pool and a year of pairings (结对辅导): every registry mentor enters the pool; the mentors
of Nanjing carriers are shared with Suzhou (a pool another city draws on); about two tenants per carrier with
mentors are paired over the last year (most active, some completed, a few ended early with a reason), with
sessions logged and the firms' feedback. The demo accounts `mentor` and `firm` (both at the operator's
flagship carrier) are paired with each other. Dates are relative to the demo's `today`."""

from __future__ import annotations

import datetime
import random

from fuhua.accounts.models import RoleGrant
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM
from fuhua.registry.models import Firm, MentorProfile, Region

from .models import Feedback, Pairing, PoolMentor, ServiceLog
from .workflow import PAIRING_WORKFLOW

GOALS = ["完成天使轮融资", "申报国家高新技术企业", "完善商业计划书并参加路演", "搭建财务与股权架构",
         "拓展首批行业客户", "申请发明专利并完成知识产权布局", "通过科技型中小企业评价", "组建核心研发团队"]
TOPICS = ["商业模式梳理", "融资路演辅导", "股权结构设计", "知识产权布局", "市场进入策略", "财务规范",
          "高企申报材料", "团队管理", "产品定位", "政策申报"]
OUTCOMES = ["形成修改后的商业计划书", "确定下一步融资计划", "完成专利申请提交", "对接两家潜在客户",
            "明确申报时间表", ""]
NANJING, SUZHOU = "320100", "320500"


def _grant_of(username: str, field: str):
    grant = RoleGrant.objects.filter(user__username=username).exclude(**{f"{field}__isnull": True}).first()
    return getattr(grant, f"{field}_id", None) if grant else None


def load_mentoring(run: DemoRun) -> None:
    if Pairing.objects.exists():
        run.note("mentoring: already loaded")
        return
    rng, today = random.Random(20261203), run.today  # noqa: S311  (demo data, reproducible)
    with acting_as(None, source="demo"):
        have = set(PoolMentor.objects.values_list("profile_id", flat=True))
        missing = MentorProfile.objects.exclude(pk__in=have).values_list("pk", flat=True)
        PoolMentor.objects.bulk_create([PoolMentor(profile_id=pk, capacity=rng.choice((3, 5, 8))) for pk in missing],
                                       batch_size=2000)
        pool = {p.profile_id: p for p in PoolMentor.objects.all()}
        suzhou = Region.objects.filter(code=SUZHOU).first()
        if suzhou is not None:
            shared = [p for pid, p in pool.items() if pid in set(
                MentorProfile.objects.filter(region__code__startswith=NANJING[:4]).values_list("pk", flat=True)[:60])]
            through = PoolMentor.shared_with.through
            through.objects.bulk_create([through(poolmentor_id=p.pk, region_id=suzhou.pk) for p in shared])
        links = list(MentorProfile.carriers.through.objects.order_by("carrier_id", "mentorprofile_id")
                     .values_list("carrier_id", "mentorprofile_id"))
        by_carrier: dict[int, list[int]] = {}
        for carrier_id, mentor_id in links:
            by_carrier.setdefault(carrier_id, []).append(mentor_id)
        tenants: dict[int, list[int]] = {}
        for carrier_id, firm_id in (Firm.objects.filter(incubations__carrier_id__in=list(by_carrier),
                                                        incubations__status="incubating")
                                    .order_by("incubations__carrier_id", "id")
                                    .values_list("incubations__carrier_id", "id")):
            tenants.setdefault(carrier_id, []).append(firm_id)
        mentor_profile, firm_id = _grant_of("mentor", "mentor"), _grant_of("firm", "firm")
        pairings = []
        run.begin(len(by_carrier) + 1)
        for carrier_id, mentors in by_carrier.items():
            firms = tenants.get(carrier_id, [])
            for firm in rng.sample(firms, min(len(firms), rng.choice((1, 2, 2, 3)))):
                start = today - datetime.timedelta(days=rng.randint(20, 360))
                pairings.append(Pairing(mentor=pool[rng.choice(mentors)], firm_id=firm, carrier_id=carrier_id,
                                        goals=rng.choice(GOALS), starts_on=start,
                                        ends_on=start + datetime.timedelta(days=rng.choice((180, 270, 365)))))
            run.advance()
        if mentor_profile in pool and firm_id:
            carrier_id = next((c for c, firms in tenants.items() if firm_id in firms and mentor_profile in
                               by_carrier.get(c, [])), None)
            pairings.append(Pairing(mentor=pool[mentor_profile], firm_id=firm_id, carrier_id=carrier_id,
                                    goals="完成A轮融资并申报国家高新技术企业",
                                    starts_on=today - datetime.timedelta(days=200),
                                    ends_on=today + datetime.timedelta(days=165)))
            pairings.append(Pairing(mentor=pool[mentor_profile], firm_id=firm_id, carrier_id=carrier_id,
                                    goals="梳理知识产权布局", starts_on=today - datetime.timedelta(days=5),
                                    ends_on=today + datetime.timedelta(days=175)))  # left proposed: the inbox
        Pairing.objects.bulk_create(pairings, batch_size=2000)
        started = [p for p in pairings if p.starts_on <= today - datetime.timedelta(days=10)]
        PAIRING_WORKFLOW.apply_bulk(SYSTEM, started, "activate")
        done = [p for p in started if p.ends_on < today]
        PAIRING_WORKFLOW.apply_bulk(SYSTEM, done, "complete", fields=("ended_on",), on=today)
        ended = [p for p in started if p.ends_on >= today and rng.random() < 0.06]
        PAIRING_WORKFLOW.apply_bulk(SYSTEM, ended, "end", reason="企业迁出载体，辅导提前结束",
                                    fields=("ended_on", "end_reason"), on=today)
        logs, feedback = [], []
        for p in started:
            last = min(today, p.ended_on or today, p.ends_on)
            span = (last - p.starts_on).days
            for _ in range(max(1, min(8, span // 30))):
                logs.append(ServiceLog(mentor=p.mentor, firm_id=p.firm_id, pairing=p,
                                       date=p.starts_on + datetime.timedelta(days=rng.randint(0, max(span, 0))),
                                       hours=rng.choice((1.0, 1.5, 2.0, 3.0)),
                                       topic=rng.choice(TOPICS), outcome=rng.choice(OUTCOMES)))
            if p in done or rng.random() < 0.3:
                feedback.append(Feedback(pairing=p, score=rng.choice((3, 4, 4, 5, 5, 5)), comment=rng.choice(
                    ("导师经验丰富，建议很实用", "帮助我们完成了融资材料", "沟通及时", ""))))
        ServiceLog.objects.bulk_create(logs, batch_size=2000)
        Feedback.objects.bulk_create(feedback, batch_size=2000)
    run.advance()
    run.note(f"mentoring: {len(pool)} pool mentors, {len(pairings)} pairings ({len(done)} completed, "
             f"{len(ended)} ended early), {len(logs)} service logs, {len(feedback)} feedback")
