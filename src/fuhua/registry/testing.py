"""Test helpers of the registry's expert pool: two experts (Suzhou and Nanjing), a draw in each city, and the
rows the generated scope tests read (SCOPE_RESOURCES, SCOPE_WEB_NAMES; core/tests/test_scope_matrix.py)."""

from __future__ import annotations

from types import SimpleNamespace

from fuhua.core.system import SYSTEM

from . import experts
from .models import DrawPurpose, ExpertDraw, ExpertProfile, Founder


def expert(name: str, region, *, fields=("ai",), organisation=None, user=None, **extra) -> ExpertProfile:
    e = ExpertProfile.objects.create(name=name, region=region, fields=list(fields), organisation=organisation,
                                     user=user, **extra)
    return e


def expert_world(w) -> SimpleNamespace:
    """Built once per world: an expert in each city (the Suzhou one is the world's `expert` user), a draw each."""
    cached = getattr(w, "_experts", None)
    if cached is not None:
        return cached
    expert_a = expert("周教授", w.regions.sz, user=w.users.expert)
    expert_b = expert("吴研究员", w.regions.nj, fields=("biomedicine",))
    draw_a = experts.record(SYSTEM, DrawPurpose.COMPETITION, experts.PanelTarget.of(w.carrier_a), [expert_a],
                            seed=1, size=1)
    draw_b = experts.record(SYSTEM, DrawPurpose.COMPETITION, experts.PanelTarget.of(w.carrier_b), [expert_b],
                            seed=2, size=1)
    out = SimpleNamespace(expert_a=expert_a, expert_b=expert_b, draw_a=draw_a, draw_b=draw_b)
    w._experts = out
    return out


def founder_world(w) -> SimpleNamespace:
    """Built once per world: a founder of firm_a (Suzhou: a doctor, returned from abroad) and of firm_b (Nanjing)."""
    cached = getattr(w, "_founders", None)
    if cached is None:
        cached = SimpleNamespace(
            founder_a=Founder.objects.create(name="陈博士", firm=w.firm_a, education="doctorate",
                                             overseas_returnee=True),
            founder_b=Founder.objects.create(name="刘创", firm=w.firm_b, education="master"))
        w._founders = cached
    return cached


# For core/tests/test_audit.py's FACTORIES, should it collect apps' factories: label → (create(world), change).
AUDIT_FACTORIES = {
    "registry.expertprofile": (lambda w: expert("审计专家", w.regions.sz), {"title": "教授"}),
    # Written directly (the drawing service acts as its caller and sets the panel, a second entry).
    "registry.founder": (lambda w: Founder.objects.create(name="审计创始人", firm=w.firm_a), {"student": True}),
    "registry.expertdraw": (lambda w: ExpertDraw.objects.create(purpose=DrawPurpose.OTHER, region=w.regions.sz,
                                                                object_label=str(w.carrier_a), seed=3, size=1),
                            {"object_label": "改"}),
}
