"""The demo's expert pool (专家库): about 200 experts in the demo province — most at province level, shared with
every city (the province pool the cities draw on), the rest in the cities — with fields, employers
(universities and institutes), some busy or retired, a few declared relations; the demo account `expert`
is linked to one of them, and one panel is drawn for the operator's flagship carrier. Runs after the demo
accounts (order 31)."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model

from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM

from .. import experts
from ..choices import IndustryField, OrganisationKind
from ..models import Carrier, DrawPurpose, ExpertProfile, Organisation, Region
from .regions import JIANGSU, SUZHOU

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文玉兰晨宇浩然思远嘉怡子涵雨萱"
TITLES = ["教授", "研究员", "高级工程师", "副教授", "正高级工程师", "副研究员", "注册会计师", "高级经济师"]
PANELS_FOR = "苏州纳米城孵化器"


def load_experts(run: DemoRun) -> None:
    if ExpertProfile.objects.exists():
        run.note("experts: already loaded")
        return
    province = Region.objects.filter(code=JIANGSU).first()
    if province is None:
        run.note("experts: no demo province")
        return
    rng = random.Random(20261202)  # noqa: S311  (demo data, reproducible)
    cities = list(Region.objects.filter(parent=province).order_by("code"))
    employers = list(Organisation.objects.filter(
        kind__in=(OrganisationKind.UNIVERSITY, OrganisationKind.INSTITUTE), region__code__startswith=JIANGSU[:2])
        .order_by("id")[:60])
    carriers = list(Carrier.objects.filter(region__code__startswith=JIANGSU[:2]).order_by("id")[:400])
    fields = list(IndustryField.values)
    total = 200
    run.begin(total + 1)
    profiles = []
    for n in range(total):
        provincial = n < 120 or not cities
        availability, busy_until = "available", None
        if n % 17 == 5:
            availability, busy_until = "busy", run.today + datetime.timedelta(days=rng.randint(10, 120))
        elif n % 41 == 7:
            availability = "retired"
        profiles.append(ExpertProfile(
            name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            title=rng.choice(TITLES), organisation=rng.choice(employers) if employers and n % 5 else None,
            fields=sorted(rng.sample(fields, rng.choice((1, 2, 2, 3)))),
            region=province if provincial else rng.choice(cities), availability=availability, busy_until=busy_until))
    with acting_as(None, source="demo"):
        for profile in profiles:  # save() keeps the search column; 200 rows
            profile.save()
            run.advance()
        through = ExpertProfile.shared_with.through
        through.objects.bulk_create([through(expertprofile_id=p.pk, region_id=c.pk)
                                     for p in profiles if p.region_id == province.pk for c in cities])
        declared = ExpertProfile.declared_carriers.through
        if carriers:
            declared.objects.bulk_create([declared(expertprofile_id=p.pk, carrier_id=rng.choice(carriers).pk)
                                          for p in profiles[::9]])
        user = get_user_model().objects.filter(username="expert").first()
        if user is not None:
            mine = next(p for p in profiles if p.region_id == province.pk and p.availability == "available")
            mine.user = user
            mine.fields = sorted({*mine.fields, "ai"})
            mine.save(update_fields=["user", "fields"])
        flagship = Carrier.objects.filter(name=PANELS_FOR).first() or Carrier.objects.filter(
            region__code__startswith=SUZHOU[:4]).order_by("id").first()
        if flagship is not None:
            experts.draw(SYSTEM, DrawPurpose.COMPETITION, experts.PanelTarget.of(flagship), 5, seed=20261202,
                         exclude_own_region=True)
    run.advance()
    run.note(f"experts: {len(profiles)} in the pool, {sum(p.region_id == province.pk for p in profiles)} "
             "shared by the province with its cities")
