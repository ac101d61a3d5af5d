"""Pages for the facts the rules read (issue #3): a firm's investments, annual figures and IP rights; a
carrier's seed funds and staffing. Reached from the firm and carrier pages, which list them as sections."""

from django.utils.translation import gettext_lazy as _

from fuhua.core.views import generic as g
from fuhua.registry.models import CarrierStaffing, FirmYearFigures, Founder, IntellectualProperty, Investment, SeedFund

from .. import forms as f


def _views(model, form, filter_form, columns, search_paths, default_sort, select_related) -> dict:
    """The six standard pages of one model, configured alike."""
    attrs = {"model": model}
    return {
        "list": type(f"{model.__name__}List", (g.ObjectListView,), {
            **attrs, "filter_form": filter_form, "columns": columns, "search_paths": search_paths,
            "default_sort": default_sort, "select_related": select_related}),
        "create": type(f"{model.__name__}Create", (g.ObjectCreateView,), {**attrs, "form_class": form}),
        "detail": type(f"{model.__name__}Detail", (g.ObjectDetailView,), attrs),
        "edit": type(f"{model.__name__}Edit", (g.ObjectEditView,), {**attrs, "form_class": form}),
        "delete": type(f"{model.__name__}Delete", (g.ObjectDeleteView,), attrs),
        "history": type(f"{model.__name__}History", (g.ObjectHistoryView,), attrs),
    }


INVESTMENT_COLUMNS = [
    g.Column("date", _("date"), sort="date", link=True), g.Column("round", _("round"), sort="round"),
    g.Column("amount_fen", _("amount (fen)"), sort="amount_fen"), g.Column("investor_name", _("investor")),
    g.Column("from_carrier_fund", _("from the carrier's fund")),
]
FIGURES_COLUMNS = [
    g.Column("year", _("year"), sort="year", link=True),
    g.Column("revenue_fen", _("revenue (fen)"), sort="revenue_fen"),
    g.Column("rd_spend_fen", _("R&D spend (fen)"), sort="rd_spend_fen"),
    g.Column("employees", _("employees"), sort="employees"),
]
IP_COLUMNS = [
    g.Column("number", _("number"), sort="number", link=True), g.Column("kind", _("kind"), sort="kind"),
    g.Column("applied_on", _("applied on"), sort="applied_on"),
    g.Column("granted_on", _("granted on"), sort="granted_on"),
    g.Column("lapsed_on", _("lapsed on"), sort="lapsed_on"),
]
SEED_FUND_COLUMNS = [
    g.Column("name", _("name"), sort="name", link=True), g.Column("ownership", _("ownership"), sort="ownership"),
    g.Column("size_fen", _("size (fen)"), sort="size_fen"),
    g.Column("established_on", _("established"), sort="established_on"),
]
STAFFING_COLUMNS = [
    g.Column("year", _("year"), sort="year", link=True), g.Column("staff_total", _("staff"), sort="staff_total"),
    g.Column("staff_professional", _("professional incubation staff"), sort="staff_professional"),
    g.Column("staff_fulltime", _("full-time service staff"), sort="staff_fulltime"),
]
_FIRM = [g.Column("firm", _("firm"), sort="firm__name")]
_CARRIER = [g.Column("carrier", _("carrier"), sort="carrier__name")]

INVESTMENT = _views(Investment, f.InvestmentForm, f.InvestmentFilter, INVESTMENT_COLUMNS[:1] + _FIRM
                    + INVESTMENT_COLUMNS[1:], ("firm__search", "investor_name"), "-date", ("firm",))
FIGURES = _views(FirmYearFigures, f.FirmYearFiguresForm, f.FirmYearFiguresFilter,
                 FIGURES_COLUMNS[:1] + _FIRM + FIGURES_COLUMNS[1:], ("firm__search",), "-year", ("firm",))
IP = _views(IntellectualProperty, f.IntellectualPropertyForm, f.IntellectualPropertyFilter,
            IP_COLUMNS[:1] + _FIRM + IP_COLUMNS[1:], ("firm__search", "number"), "-applied_on", ("firm",))
SEED_FUND = _views(SeedFund, f.SeedFundForm, f.SeedFundFilter, SEED_FUND_COLUMNS[:1] + _CARRIER
                   + SEED_FUND_COLUMNS[1:], ("carrier__search", "name"), "-established_on", ("carrier",))
STAFFING = _views(CarrierStaffing, f.CarrierStaffingForm, f.CarrierStaffingFilter,
                  STAFFING_COLUMNS[:1] + _CARRIER + STAFFING_COLUMNS[1:], ("carrier__search",), "-year", ("carrier",))
FOUNDER_COLUMNS = [
    g.Column("name", _("name"), sort="name", link=True), g.Column("venture", _("firm or team")),
    g.Column("role", _("role"), sort="role"), g.Column("education", _("education"), sort="education"),
    g.Column("overseas_returnee", _("returned from study abroad")), g.Column("student", _("enrolled student")),
    g.Column("talent_title", _("talent title"), sort="talent_title"),
]
FOUNDER = _views(Founder, f.FounderForm, f.FounderFilter, FOUNDER_COLUMNS, ("search", "firm__search", "team__search"),
                 "name", ("firm", "team"))
