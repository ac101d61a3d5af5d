"""The demo's founders and key people (registry.Founder): recorded for about one firm in five of the demo province
(the firms that registered their founders for the talent programmes) and for every start-up team (its leader),
with the education and returnee shares of a science-park population (博士 about 4 %, 海外留学归国 about 5 %),
a few talent titles. The demo account `firm`'s firm has a founder with a doctorate who returned from abroad, so
that its user sees a person policy (江苏省双创博士) among its fits. Runs after the tenants (order 25).
No identity numbers: the model keeps none."""

from __future__ import annotations

import datetime
import random

from fuhua.core.audit import record_bulk
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.search import search_text

from ..models import Carrier, Firm, Founder, StartupTeam
from .calibration import OPERATOR_CARRIER
from .experts import GIVEN, SURNAMES
from .regions import JIANGSU

TITLES = ("gusu_leading", "taicang_leading", "js_shuangchuang", "js_shuangchuang_phd")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _person(rng: random.Random, *, firm_id=None, team_id=None, role="founder", student=False,
            last_year: int) -> Founder:
    roll = rng.random()
    education = "doctorate" if roll < 0.04 else "master" if roll < 0.30 else "bachelor" if roll < 0.85 else "other"
    title, granted = "", None
    if rng.random() < 0.02:
        title = rng.choice(TITLES)
        granted = datetime.date(rng.randint(last_year - 3, last_year), rng.randint(1, 12), 15)
    name = _name(rng)
    return Founder(name=name, firm_id=firm_id, team_id=team_id, role=role, education=education,
                   overseas_returnee=rng.random() < 0.05, student=student, talent_title=title,
                   title_granted_on=granted, search=search_text(name))


def demo_founder_firm() -> Firm | None:
    """The firm of the demo account `firm` (the first tenant of the flagship Suzhou incubator)."""
    carrier = Carrier.objects.filter(name=OPERATOR_CARRIER).first()
    if carrier is None:
        return None
    return Firm.objects.filter(incubations__carrier=carrier, incubations__status="incubating").order_by("id").first()


def load_founders(run: DemoRun) -> None:
    if Founder.objects.exists():
        run.note("founders: already loaded")
        return
    rng = random.Random(20261203)  # noqa: S311  (demo data, reproducible)
    prefix = JIANGSU[:2]
    firm_ids = list(Firm.objects.filter(region__code__startswith=prefix).order_by("id").values_list("id", flat=True))
    teams = list(StartupTeam.objects.filter(region__code__startswith=prefix).order_by("id")
                 .values_list("id", "leader", "student_founded"))
    run.begin(3)
    demo = demo_founder_firm()
    rows = []
    if demo is not None:
        lead = "陈博文"
        rows.append(Founder(name=lead, firm=demo, role="founder", education="doctorate", overseas_returnee=True,
                            search=search_text(lead)))
        rows.append(_person(rng, firm_id=demo.pk, role="co_founder", last_year=run.last_year))
    for pk in firm_ids:
        if (demo is not None and pk == demo.pk) or rng.random() >= 0.2:
            continue
        rows.append(_person(rng, firm_id=pk, last_year=run.last_year))
        if rng.random() < 0.3:
            rows.append(_person(rng, firm_id=pk, role=rng.choice(("co_founder", "key_person")),
                                last_year=run.last_year))
    run.advance()
    for pk, leader, students in teams:
        person = _person(rng, team_id=pk, student=students, last_year=run.last_year)
        person.name, person.search = leader, search_text(leader)
        rows.append(person)
    run.advance()
    with acting_as(None, source="demo"):
        Founder.objects.bulk_create(rows, batch_size=2000)
        saved = list(Founder.objects.order_by("id"))
        record_bulk(Founder, "create", saved, reason="demo")
    run.advance()
    run.note(f"founders: {len(saved)} ({sum(1 for r in rows if r.firm_id)} of firms, {len(teams)} of teams), "
             f"{sum(1 for r in rows if r.education == 'doctorate')} with a doctorate")
