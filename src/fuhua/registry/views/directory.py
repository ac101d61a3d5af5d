"""Read-only pages for organisations, mentors and investors."""

from django.utils.translation import gettext_lazy as _

from fuhua.core.scoping import check
from fuhua.core.views import generic as g
from fuhua.registry.models import Carrier, InvestorProfile, MentorProfile, Organisation

from ..forms import InvestorFilter, MentorFilter, OrganisationFilter


class OrganisationList(g.ObjectListView):
    model = Organisation
    filter_form = OrganisationFilter
    select_related = ("region",)
    columns = [
        g.Column("name", sort="name", link=True), g.Column("credit_code", sort="credit_code"),
        g.Column("kind", sort="kind"), g.Column("region", sort="region"),
    ]


class OrganisationDetail(g.ObjectDetailView):
    model = Organisation

    def sections(self, organisation):
        user = self.request.user
        if not check(user, "view", Carrier):
            return []
        carriers = Carrier.objects.restrict(user).filter(operator=organisation).select_related("region")
        return [g.Section(_("Carriers operated"), [
            g.Column("name", _("name"), link=True), g.Column("kind", _("kind")), g.Column("region", _("region")),
        ], list(carriers))]


class OrganisationHistory(g.ObjectHistoryView):
    model = Organisation


class MentorList(g.ObjectListView):
    model = MentorProfile
    filter_form = MentorFilter
    select_related = ("region",)
    columns = [
        g.Column("name", sort="name", link=True), g.Column("title"), g.Column("employer"),
        g.Column("industry_field", sort="industry_field"), g.Column("region", sort="region"),
        g.Column("full_time"),
    ]


class MentorDetail(g.ObjectDetailView):
    model = MentorProfile
    fields = ["name", "title", "employer", "industry_field", "region", "carriers", "full_time"]


class MentorHistory(g.ObjectHistoryView):
    model = MentorProfile


class InvestorList(g.ObjectListView):
    model = InvestorProfile
    filter_form = InvestorFilter
    select_related = ("region", "institution")
    columns = [
        g.Column("name", sort="name", link=True), g.Column("institution", sort="institution__name"),
        g.Column("position"), g.Column("focus_field", sort="focus_field"), g.Column("region", sort="region"),
    ]


class InvestorDetail(g.ObjectDetailView):
    model = InvestorProfile


class InvestorHistory(g.ObjectHistoryView):
    model = InvestorProfile
