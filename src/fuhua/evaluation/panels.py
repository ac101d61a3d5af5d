"""What evaluation adds to the registry's carrier page (core.extensions): the carrier's published grades."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuhua.core.extensions import register_sections
from fuhua.core.scoping import check
from fuhua.core.views import generic as g

from .models import EvaluationResult


def carrier_sections(user, carrier) -> list:
    if not check(user, "view", EvaluationResult):
        return []
    results = (EvaluationResult.objects.restrict(user).filter(carrier=carrier, run__published_at__isnull=False)
               .select_related("run").order_by("-run__period", "-run__pk"))
    return [g.Section(_("Evaluation results"), [
        g.Column("run__period", _("period")), g.Column("run", _("evaluation run")),
        g.Column("grade", _("grade"), link=True), g.Column("rank", _("rank")),
        g.Column("total_milli", _("total score"), value=lambda r: None if r.total_milli is None
                 else r.total_milli / 1000),
    ], list(results))]


def register() -> None:
    register_sections("registry.carrier", carrier_sections, key="evaluation.results", order=40)
