from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.registry.models import Carrier, CarrierStaffing, MentorProfile, Recognition, SeedFund
from fuhua.registry.models.carrier import LEVEL_RANK

from ..choices import RecognitionLevel
from ..forms import CarrierFilter, CarrierForm
from ..workflow import CARRIER_WORKFLOW
from . import facts

_LEVEL_LABEL = {LEVEL_RANK[value]: label for value, label in RecognitionLevel.choices}


def _with_top_rank(qs):
    """Annotate `top_rank`: the rank of the carrier's highest active recognition (for a sortable column)."""
    rank = Case(*(When(level=lvl, then=Value(r)) for lvl, r in LEVEL_RANK.items()), output_field=IntegerField())
    active = Recognition.objects.active().filter(carrier=OuterRef("pk")).annotate(rank=rank).order_by("-rank")
    return qs.annotate(top_rank=Subquery(active.values("rank")[:1]))


class CarrierList(g.ObjectListView):
    model = Carrier
    filter_form = CarrierFilter
    select_related = ("region", "operator")
    columns = [
        g.Column("name", sort="name", link=True),
        g.Column("kind", sort="kind"),
        g.Column("top_rank", _("highest level"), sort="top_rank", value=lambda c: _LEVEL_LABEL.get(c.top_rank)),
        g.Column("region", sort="region"),
        g.Column("operator"),
        g.Column("incubation_area_m2", sort="incubation_area_m2"),
        g.Column("established", sort="established"),
        g.Column("status", sort="status"),
    ]

    def get_queryset(self):
        return _with_top_rank(super().get_queryset())


class CarrierDetail(g.ObjectDetailView):
    model = Carrier
    template_name = "registry/carrier_detail.html"  # other apps' panels and sections: core.extensions

    def detail_context(self, obj, **extra):
        return super().detail_context(obj, transitions=CARRIER_WORKFLOW.available(self.request.user, obj), **extra)

    def sections(self, carrier):
        user = self.request.user
        sections = []
        if check(user, "view", Recognition):
            add = reverse("registry:recognition_create") + f"?carrier={carrier.pk}"
            sections.append(g.Section(_("Recognitions"), [
                g.Column("document_number", _("document number"), link=True), g.Column("level", _("level")),
                g.Column("kind", _("kind")), g.Column("granted_on", _("date")),
                g.Column("valid_until", _("valid until")), g.Column("revoked_on", _("revoked on")),
            ], list(Recognition.objects.restrict(user).filter(carrier=carrier)),
                add if check(user, "add", Recognition) else None))
        if check(user, "view", MentorProfile):
            mentors = MentorProfile.objects.restrict(user).filter(carriers=carrier)
            sections.append(g.Section(_("Mentors"), [
                g.Column("name", _("name"), link=True), g.Column("title", pgettext_lazy("person", "title")),
                g.Column("industry_field", _("field")), g.Column("full_time", _("full-time")),
            ], list(mentors)))
        # The facts the recognition rules read, each with an "add" link for this carrier.
        for model, title, columns in ((SeedFund, _("Seed funds"), facts.SEED_FUND_COLUMNS),
                                      (CarrierStaffing, _("Staffing"), facts.STAFFING_COLUMNS)):
            if check(user, "view", model):
                add = reverse(f"registry:{model._meta.model_name}_create") + f"?carrier={carrier.pk}"
                sections.append(g.Section(title, columns, list(model.objects.restrict(user).filter(carrier=carrier)),
                                          add if check(user, "add", model) else None))
        return sections


class CarrierTransition(CarrierDetail):
    """POST one status step (suspend, resume, close) with its reason; scoped like an edit."""

    action = "change"

    def get(self, request, pk):
        return redirect(g.object_url(self.get_object()))

    def post(self, request, pk):
        carrier = self.get_object()
        try:
            CARRIER_WORKFLOW.apply(request.user, carrier, request.POST.get("transition", ""),
                                   reason=request.POST.get("reason", "").strip()[:200])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            messages.success(request, gettext("Status changed to %(status)s.") % {
                "status": carrier.get_status_display()})
        return redirect(g.object_url(carrier))


class CarrierCreate(g.ObjectCreateView):
    model = Carrier
    form_class = CarrierForm


class CarrierEdit(g.ObjectEditView):
    model = Carrier
    form_class = CarrierForm


class CarrierDelete(g.ObjectDeleteView):
    model = Carrier


class CarrierHistory(g.ObjectHistoryView):
    model = Carrier
