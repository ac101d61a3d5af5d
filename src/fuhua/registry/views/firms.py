from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.registry.models import Firm, FirmDesignation, FirmYearFigures, Founder, IntellectualProperty, Investment

from ..forms import FirmFilter, FirmForm
from . import facts


class FirmList(g.ObjectListView):
    model = Firm
    filter_form = FirmFilter
    select_related = ("region",)
    columns = [
        g.Column("name", sort="name", link=True),
        g.Column("credit_code", sort="credit_code"),
        g.Column("industry_field", sort="industry_field"),
        g.Column("size_class", sort="size_class"),
        g.Column("region", sort="region"),
        g.Column("founded", sort="founded"),
    ]


class FirmDetail(g.ObjectDetailView):
    model = Firm
    # The incubation journey, rule checks and chain are incubation's panel and section (core.extensions).

    def sections(self, firm):
        user = self.request.user
        sections = []
        if check(user, "view", FirmDesignation):
            sections.append(g.Section(_("Designations"), [
                g.Column("kind", _("designation")), g.Column("granted_on", _("granted on")),
                g.Column("expires_on", _("expires on")), g.Column("certificate_number", _("certificate number")),
            ], list(FirmDesignation.objects.restrict(user).filter(firm=firm))))
        # The facts the graduation and recognition rules read, each with an "add" link for this firm.
        for model, title, columns in (
            (Investment, _("Investments"), facts.INVESTMENT_COLUMNS),
            (FirmYearFigures, _("Annual figures"), facts.FIGURES_COLUMNS),
            (IntellectualProperty, _("Intellectual property rights"), facts.IP_COLUMNS),
            (Founder, _("Founders and key people"), facts.FOUNDER_COLUMNS),  # firm and bureau only
        ):
            if check(user, "view", model):
                add = reverse(f"registry:{model._meta.model_name}_create") + "?" + urlencode(
                    {"firm": firm.credit_code})
                sections.append(g.Section(title, columns, list(model.objects.restrict(user).filter(firm=firm)),
                                          add if check(user, "add", model) else None))
        return sections


class FirmCreate(g.ObjectCreateView):
    model = Firm
    form_class = FirmForm


class FirmEdit(g.ObjectEditView):
    model = Firm
    form_class = FirmForm


class FirmDelete(g.ObjectDeleteView):
    model = Firm


class FirmHistory(g.ObjectHistoryView):
    model = Firm
