"""Pages of the expert pool: experts (list, detail, edit), the panel draw (drawn and excluded experts with the
reasons) and the record of every draw. The drawing itself is registry.experts."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.views import generic as g

from .. import experts
from ..forms_experts import DrawFilter, ExpertFilter, ExpertForm, PanelDrawForm
from ..models import ExpertDraw, ExpertProfile


class ExpertList(g.ObjectListView):
    model = ExpertProfile
    filter_form = ExpertFilter
    search_paths = ("search",)
    select_related = ("region", "organisation")
    columns = [
        g.Column("name", sort="name", link=True), g.Column("title"),
        g.Column("organisation", gettext_lazy("employer organisation"), sort="organisation__name"),
        g.Column("fields", gettext_lazy("industry fields"), value=lambda e: e.field_labels()),
        g.Column("region", sort="region"), g.Column("availability", sort="availability"),
        g.Column("busy_until", sort="busy_until"), g.Column("active", sort="active"),
    ]


class ExpertDetail(g.ObjectDetailView):
    model = ExpertProfile
    fields = ["name", "title", "user", "organisation", "region", "shared_with", "availability", "busy_until",
              "declared_organisations", "declared_carriers", "active"]

    def sections(self, obj):
        user = self.request.user
        draws = ExpertDraw.objects.restrict(user).filter(drawn=obj).order_by("-created_at")[:20]
        return [
            g.Section(_("Industry fields"), [g.Column("label", gettext_lazy("industry field"))],
                      [SimpleNamespace(label=label) for label in obj.field_labels().split("、") if label]),
            g.Section(_("Panels"), [
                g.Column("created_at", gettext_lazy("drawn"), link=True), g.Column("purpose", gettext_lazy("purpose")),
                g.Column("object_label", gettext_lazy("reviewed object")),
            ], list(draws)),
        ]


class ExpertCreate(g.ObjectCreateView):
    model = ExpertProfile
    form_class = ExpertForm


class ExpertEdit(g.ObjectEditView):
    model = ExpertProfile
    form_class = ExpertForm


class ExpertDelete(g.ObjectDeleteView):
    model = ExpertProfile


class ExpertHistory(g.ObjectHistoryView):
    model = ExpertProfile


class DrawList(g.ObjectListView):
    model = ExpertDraw
    filter_form = DrawFilter
    search_paths = ("object_label",)
    default_sort = "-created_at"
    select_related = ("region", "drawn_by")
    columns = [
        g.Column("created_at", gettext_lazy("drawn"), sort="created_at", link=True),
        g.Column("purpose", sort="purpose"), g.Column("object_label"), g.Column("region"),
        g.Column("size", sort="size"), g.Column("seed"), g.Column("drawn_by"),
    ]


def _excluded_rows(record: ExpertDraw) -> list[dict]:
    return [{"name": e.get("name", ""), "reason": e.get("reason", "")} for e in record.excluded]


class DrawDetail(g.ObjectDetailView):
    model = ExpertDraw
    template_name = "registry/expertdraw_detail.html"

    def detail_context(self, obj, **extra):
        drawn = list(obj.drawn.select_related("region", "organisation").order_by("name"))
        return super().detail_context(obj, drawn=drawn, excluded=_excluded_rows(obj), **extra)


class DrawHistory(g.ObjectHistoryView):
    model = ExpertDraw


class PanelDraw(g.ScopedMixin, View):
    """Draw a panel for a carrier: preview (who would be drawn, who is left out and why) or draw and record."""

    model = ExpertDraw
    action = "add"
    template_name = "registry/expert_draw.html"

    def get(self, request):
        return self._render(PanelDrawForm(user=request.user, initial=request.GET.dict() or None))

    def post(self, request):
        form = PanelDrawForm(request.POST, user=request.user)
        preview = None
        if form.is_valid():
            data = form.cleaned_data
            target = experts.PanelTarget.of(data["carrier"])
            options = {"seed": data["seed"], "fields": data["fields"], "exclude_own_region": data["exclude_own_region"]}
            try:
                if "record" in request.POST:
                    record = experts.draw(request.user, data["purpose"], target, data["size"], **options)
                    messages.success(request, _("The panel was drawn and recorded."))
                    return redirect(g.object_url(record))
                preview = experts.plan(request.user, target, data["size"], **options)
            except ValidationError as exc:
                add_service_errors(form, exc)
        return self._render(form, preview, status=200 if preview else 400)

    def _render(self, form, preview=None, status=200):
        context = self.base_context(form=form, preview=preview, title=_("Draw a panel from the expert pool"),
                                    may_record=bool(check(self.request.user, "add", ExpertDraw)))
        return render(self.request, self.template_name, context, status=status)


EXPERT_PAGES = {"list": ExpertList, "create": ExpertCreate, "detail": ExpertDetail, "edit": ExpertEdit,
                "delete": ExpertDelete, "history": ExpertHistory}
DRAW_PAGES = {"list": DrawList, "detail": DrawDetail, "history": DrawHistory}
