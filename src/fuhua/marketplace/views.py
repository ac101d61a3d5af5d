"""Marketplace pages: the firms' catalogue, provider profiles and the bureau's review, qualifications,
products with their ratings. Every write goes through marketplace.services; statuses only by workflow steps
(irreversible ones ask for confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fuhua.accounts.roles import grants_of
from fuhua.core import formatting as fmt
from fuhua.core.forms import add_service_errors
from fuhua.core.scoping import check
from fuhua.core.uploads import size_problem
from fuhua.core.views import generic as g
from fuhua.core.views.steps import StepsMixin, TransitionView
from fuhua.registry.models import Firm

from . import services
from .forms import (
    CatalogueFilter,
    ProductFilter,
    ProductForm,
    ProviderApplyForm,
    ProviderFilter,
    ProviderProfileForm,
    QualificationFilter,
    QualificationForm,
    StepForm,
)
from .models import MAX_UPLOAD_BYTES, Product, Provider, Qualification, Rating, ServiceCategory
from .workflow import IRREVERSIBLE, PRODUCT_WORKFLOW, PROVIDER_WORKFLOW, is_bureau_for


def _rating(product) -> str:
    if not product.rating_count:
        return "—"
    return f"{product.rating_avg} ★ ({product.rating_count})"


def _masked(name: str) -> str:
    """苏州微纳传感科技有限公司 → 苏州＊＊＊＊有限公司: a rater named without identifying it."""
    head, tail = name[:2], name[-4:] if len(name) > 8 else ""
    return f"{head}＊＊＊＊{tail}"


# --- the catalogue -------------------------------------------------------------------------------------


class Catalogue(g.ObjectListView):
    """What firms can order: published products of listed providers, searched in Chinese or pinyin."""

    model = Product
    template_name = "marketplace/catalogue.html"
    filter_form = CatalogueFilter
    search_paths = ("search", "provider__organisation__search")
    default_sort = "name"
    select_related = ("provider__organisation", "category")
    columns = [
        g.Column("name", sort="name", link=True),
        g.Column("provider__organisation__name", gettext_lazy("service provider")),
        g.Column("category", sort="category__order"),
        g.Column("price_fen", sort="price_fen"),
        g.Column("unit"),
        g.Column("delivery_days", sort="delivery_days"),
        g.Column("rating_avg", gettext_lazy("rating"), sort="rating_avg", value=_rating),
    ]

    def get_queryset(self):
        return super().get_queryset().filter(Product.public_q())


class CategoryList(g.ObjectListView):
    model = ServiceCategory
    default_sort = "order"
    search_paths = ("name", "name_en", "code")
    columns = [g.Column("order", sort="order"), g.Column("code", sort="code"), g.Column("name", sort="name"),
               g.Column("name_en"), g.Column("description")]


# --- workflow steps on a detail page ------------------------------------------------------------------


class StepMixin(StepsMixin):
    """Detail pages with the workflow's buttons; POST to <model>_transition (TransitionView) takes one step."""

    step_form = StepForm  # the reason a step needs is asked for by the form
    irreversible = IRREVERSIBLE


# --- providers ------------------------------------------------------------------------------------------


class ProviderList(g.ObjectListView):
    model = Provider
    filter_form = ProviderFilter
    search_paths = ("organisation__search",)
    default_sort = "organisation__search"
    select_related = ("organisation", "organisation__region")
    columns = [
        g.Column("organisation__name", gettext_lazy("name"), sort="organisation__search", link=True),
        g.Column("organisation__region", gettext_lazy("region")),
        g.Column("categories", gettext_lazy("service categories"),
                 value=lambda p: "、".join(c.name for c in p.categories.all())),
        g.Column("status", sort="status"),
        g.Column("qualification_expired", sort="qualification_expired"),
        g.Column("applied_on", sort="applied_on"),
        g.Column("listed_on", sort="listed_on"),
    ]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("categories")


class ProviderDetail(StepMixin, g.ObjectDetailView):
    """The provider's profile: who, what, where, qualifications, catalogue; the bureau's steps."""

    model = Provider
    template_name = "marketplace/provider_detail.html"
    workflow = PROVIDER_WORKFLOW
    transition_url = "marketplace:provider_transition"
    fields = ["organisation", "status", "status_reason", "status_changed_on", "applied_on", "listed_on",
              "qualification_expired", "categories", "regions", "introduction", "contact_name", "contact_phone",
              "contact_email", "address", "website"]

    def detail_context(self, obj, **extra):
        return super().detail_context(obj, may_review=is_bureau_for(self.request.user, obj), **extra)

    def sections(self, obj) -> list[g.Section]:
        user = self.request.user
        own_or_bureau = bool(check(user, "change", obj))
        products = Product.objects.restrict(user, "view").filter(provider=obj).select_related("category")
        if not own_or_bureau:
            products = products.filter(Product.public_q())
        qualifications = Qualification.objects.restrict(user, "view").filter(provider=obj)
        add_product = (f"{reverse('marketplace:product_create')}?provider={obj.pk}"
                       if own_or_bureau and check(user, "add", Product) else None)
        add_qualification = (f"{reverse('marketplace:qualification_create')}?provider={obj.pk}"
                             if own_or_bureau and check(user, "add", Qualification) else None)
        return [
            g.Section(_("Qualifications"), [
                g.Column("kind", gettext_lazy("kind"), link=True),
                g.Column("number", gettext_lazy("certificate number")),
                g.Column("issuer", gettext_lazy("issued by")), g.Column("valid_until", gettext_lazy("valid until")),
            ], list(qualifications), add_qualification),
            g.Section(_("Catalogue"), [
                g.Column("name", gettext_lazy("name"), link=True),
                g.Column("category", gettext_lazy("service category")),
                g.Column("price_fen", gettext_lazy("price")), g.Column("unit", gettext_lazy("unit")),
                g.Column("delivery_days", gettext_lazy("delivery time (days)")),
                g.Column("status", gettext_lazy("status")),
                g.Column("rating_avg", gettext_lazy("rating"), value=_rating),
            ], list(products), add_product),
        ]

    def take(self, user, obj, name, reason):
        services.transition_provider(user, obj, name, reason=reason)


class ProviderTransition(TransitionView, ProviderDetail):
    pass


class ProviderApply(g.ScopedMixin, View):
    """Apply to be listed (a provider, for its own organisation; a bureau, for one in its region)."""

    model = Provider
    action = "add"
    template_name = "core/object_form.html"

    def get(self, request):
        initial = {}
        own = [grant.organisation for grant in grants_of(request.user) if grant.organisation_id]
        if own:
            initial = {"credit_code": own[0].credit_code, "regions": [own[0].region_id]}
        return self._render(ProviderApplyForm(user=request.user, initial=initial))

    def post(self, request):
        form = ProviderApplyForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                provider = services.apply_provider(
                    request.user, credit_code=data["credit_code"], name=data["name"], region=data.get("region"),
                    categories=list(data["categories"]), regions=list(data["regions"]),
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"], introduction=data["introduction"],
                    address=data["address"], website=data["website"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Application received: the bureau reviews it."))
                return redirect(g.object_url(provider))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        context = self.base_context(form=form, object=None, cancel_url=g.model_url(Provider),
                                    title=_("Apply to be listed"))
        return render(self.request, self.template_name, context, status=status)


class ProviderEdit(g.ObjectEditView):
    model = Provider
    form_class = ProviderProfileForm


class ProviderHistory(g.ObjectHistoryView):
    model = Provider


# --- qualifications -----------------------------------------------------------------------------------


class QualificationList(g.ObjectListView):
    """Qualifications in the user's scope; `?expiring=1` those expired or expiring within 30 days."""

    model = Qualification
    filter_form = QualificationFilter
    search_paths = ("provider__organisation__search", "number")
    default_sort = "valid_until"
    select_related = ("provider__organisation",)
    columns = [
        g.Column("provider__organisation__name", gettext_lazy("service provider"), link=True),
        g.Column("kind", sort="kind"),
        g.Column("number"),
        g.Column("issuer"),
        g.Column("valid_until", sort="valid_until"),
    ]


class QualificationFormView(g.ObjectFormView):
    """Create or edit with the certificate upload, capped (core.uploads) before it is stored."""

    model = Qualification
    form_class = QualificationForm
    template_name = "marketplace/qualification_form.html"

    def post(self, request, pk=None):
        obj = self.get_object() if pk is not None else None
        form = self.form_class(request.POST, request.FILES, instance=obj, user=request.user)
        problem = size_problem(request, request.FILES.get("attachment"), MAX_UPLOAD_BYTES, field="attachment")
        if problem:
            form.add_error("attachment", problem)
        elif form.is_valid():
            data = form.service_data()
            try:
                if obj is None:
                    obj = services.add_qualification(request.user, data.pop("provider"), data)
                else:
                    obj = services.update_qualification(request.user, obj, data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(g.object_url(obj.provider))
        return self.render_form(form, obj, status=400)


class QualificationCreate(QualificationFormView):
    action = "add"

    def get_initial(self) -> dict:
        return {k: v for k, v in self.request.GET.items() if k == "provider"}


class QualificationEdit(QualificationFormView):
    action = "change"


class QualificationDetail(g.ObjectDetailView):
    model = Qualification
    template_name = "marketplace/qualification_detail.html"
    fields = ["provider", "kind", "number", "issuer", "valid_from", "valid_until"]


class QualificationDelete(g.ObjectDeleteView):
    model = Qualification

    def post(self, request, pk):
        obj = self.get_object()
        provider = obj.provider
        try:
            services.delete_qualification(request.user, obj)
        except ValidationError as exc:
            return self._render(obj, errors=exc.messages, status=400)
        messages.success(request, _("Deleted %(object)s.") % {"object": obj})
        return redirect(g.object_url(provider))


class QualificationHistory(g.ObjectHistoryView):
    model = Qualification


class QualificationFile(g.ScopedMixin, View):
    """The certificate, to those who may see the qualification."""

    model = Qualification

    def get(self, request, pk):
        obj = self.get_object()
        if not obj.attachment:
            raise Http404
        return FileResponse(obj.attachment.open("rb"), as_attachment=True,
                            filename=obj.attachment.name.rsplit("/", 1)[-1])


# --- products -----------------------------------------------------------------------------------------


class ProductList(g.ObjectListView):
    """Products in the user's scope: a provider's own catalogue, a bureau's region (to approve)."""

    model = Product
    filter_form = ProductFilter
    search_paths = ("search", "provider__organisation__search")
    default_sort = "name"
    select_related = ("provider__organisation", "category")
    columns = [
        g.Column("name", sort="name", link=True),
        g.Column("provider__organisation__name", gettext_lazy("service provider")),
        g.Column("category", sort="category__order"),
        g.Column("price_fen", sort="price_fen"),
        g.Column("unit"),
        g.Column("delivery_days", sort="delivery_days"),
        g.Column("status", sort="status"),
        g.Column("submitted_on", sort="submitted_on"),
        g.Column("rating_avg", gettext_lazy("rating"), sort="rating_avg", value=_rating),
    ]


class ProductDetail(StepMixin, g.ObjectDetailView):
    model = Product
    template_name = "marketplace/product_detail.html"
    workflow = PRODUCT_WORKFLOW
    transition_url = "marketplace:product_transition"
    fields = ["provider", "category", "description", "unit", "delivery_days", "programmes", "submitted_on",
              "published_on"]

    def detail_context(self, obj, **extra):
        ratings = list(Rating.objects.restrict(self.request.user, "view").filter(product=obj)
                       .select_related("firm")[:50])
        visible = set(Firm.objects.restrict(self.request.user, "view").filter(
            pk__in={r.firm_id for r in ratings}).values_list("pk", flat=True)) if ratings else set()
        for rating in ratings:  # a rating names its firm only to those who may see the firm (one query)
            rating.rater = rating.firm.name if rating.firm_id in visible else _masked(rating.firm.name)
        return super().detail_context(obj, orderable=services.is_orderable(obj), ratings=ratings,
                                      price=fmt.yuan(obj.price_fen), **extra)

    def take(self, user, obj, name, reason):
        services.transition_product(user, obj, name, reason=reason)


class ProductTransition(TransitionView, ProductDetail):
    pass


class ProductCreate(g.ObjectCreateView):
    model = Product
    form_class = ProductForm


class ProductEdit(g.ObjectEditView):
    model = Product
    form_class = ProductForm


class ProductDelete(g.ObjectDeleteView):
    model = Product


class ProductHistory(g.ObjectHistoryView):
    model = Product


# --- ratings --------------------------------------------------------------------------------------------


class RatingList(g.ObjectListView):
    model = Rating
    search_paths = ("product__search", "firm__search")
    default_sort = "-created_at"
    select_related = ("product", "firm")
    columns = [
        g.Column("product", sort="product__search"),
        g.Column("firm"),
        g.Column("score", sort="score"),
        g.Column("comment"),
        g.Column("created_at", gettext_lazy("rated"), sort="created_at"),
    ]
