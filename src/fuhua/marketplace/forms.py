"""Marketplace forms: the provider application and profile, qualifications, products, workflow steps and
the list filters (the catalogue's: category, region, price in 元, rating, voucher programme)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import FilterForm, ServiceModelForm, YuanField
from fuhua.registry.fields import RegionField
from fuhua.registry.models import Region

from .models import (
    Product,
    ProductStatus,
    ProgrammeCode,
    Provider,
    ProviderStatus,
    Qualification,
    QualificationKind,
    ServiceCategory,
)
from .services import QUALIFICATION_WARNING_DAYS


def _categories():
    return ServiceCategory.objects.filter(active=True).order_by("order", "code")


class ProviderProfileForm(ServiceModelForm):
    """What a provider keeps up to date itself: categories, service regions, introduction, contacts."""

    categories = forms.ModelMultipleChoiceField(_categories(), label=_("service categories"),
                                                widget=forms.CheckboxSelectMultiple)
    regions = forms.ModelMultipleChoiceField(Region.objects.filter(level__in=("province", "prefecture")),
                                             label=_("service regions"), required=False,
                                             help_text=_("Provinces and cities served; hold Ctrl to pick several."))
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = ["categories", "regions", "introduction", "contact_name", "contact_phone", "contact_email",
                  "address", "website"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = _categories()
        self.fields["regions"].queryset = Region.objects.filter(level__in=("province", "prefecture")).order_by(
            "code")


class ProviderApplyForm(ProviderProfileForm):
    """Apply to be listed, by the organisation's unified social credit code (a bureau may register a new
    organisation in its region: name and region)."""

    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18,
                                  help_text=_("The organisation's 18-character code (GB 32100-2015)."))
    name = forms.CharField(label=_("name of a new organisation"), max_length=200, required=False,
                           help_text=_("Only when the organisation is not yet in the registry (bureaus)."))
    region = forms.Field(label=_("region of a new organisation"), required=False)

    class Meta(ProviderProfileForm.Meta):
        fields = ["credit_code", "name", "region", *ProviderProfileForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionField(user=self.user, required=False, label=_("region of a new organisation"))
        self.order_fields(["credit_code", "name", "region"])

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()


class QualificationForm(ServiceModelForm):
    attachment = forms.FileField(label=_("certificate"), required=False,
                                 help_text=_("PDF or image, at most 10 MB."))

    class Meta:
        model = Qualification
        fields = ["provider", "kind", "number", "issuer", "valid_from", "valid_until", "attachment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.restrict(self.user, "change").select_related(
            "organisation")

    def service_data(self) -> dict:
        data = super().service_data()
        if not data.get("attachment"):
            data.pop("attachment", None)  # keep the stored certificate unless a new one is uploaded
        return data


class ProductForm(ServiceModelForm):
    programmes = forms.ModelMultipleChoiceField(ProgrammeCode.objects.all(), label=_("accepted voucher programmes"),
                                                required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Product
        fields = ["provider", "category", "name", "description", "price_fen", "unit", "delivery_days",
                  "programmes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.restrict(self.user, "change").select_related(
            "organisation")
        self.fields["category"].queryset = _categories()
        self.fields["programmes"].queryset = ProgrammeCode.objects.all()


class StepForm(forms.Form):
    """One workflow step; the reason is required when the step says so."""

    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)

    def __init__(self, *args, transitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.transitions = {t.name: t for t in transitions}

    def clean_transition(self):
        name = self.cleaned_data["transition"]
        if name not in self.transitions:
            raise forms.ValidationError(_("This step is not available for this record."))
        return name

    def clean(self):
        data = super().clean()
        transition = self.transitions.get(data.get("transition"))
        if transition and transition.needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for this step."))
        return data


class ProviderFilter(FilterForm):
    region_path = "organisation__region"
    status = forms.ChoiceField(label=_("status"), choices=ProviderStatus.choices)
    category = forms.ModelChoiceField(ServiceCategory.objects.all(), label=_("service category"))
    qualification_expired = forms.ChoiceField(label=_("qualification expired"),
                                              choices=[("1", _("yes")), ("0", _("no"))])
    lookups = {"status": "status", "category": "categories", "qualification_expired": "qualification_expired"}

    def apply(self, queryset, name, lookup, value):
        if name == "qualification_expired":
            return queryset.filter(qualification_expired=value == "1")
        return super().apply(queryset, name, lookup, value)


class QualificationFilter(FilterForm):
    region_path = "provider__organisation__region"
    expiring = forms.ChoiceField(label=_("validity"), choices=[
        ("soon", _("expired or expiring within 30 days")), ("expired", _("expired"))])
    kind = forms.ChoiceField(label=_("kind"), choices=QualificationKind.choices)
    lookups = {"expiring": "expiring", "kind": "kind"}

    def apply(self, queryset, name, lookup, value):
        if name == "expiring":
            today = timezone.localdate()
            until = today if value == "expired" else today + datetime.timedelta(days=QUALIFICATION_WARNING_DAYS)
            return queryset.filter(valid_until__lt=until) if value == "expired" else queryset.filter(
                valid_until__lte=until)
        return super().apply(queryset, name, lookup, value)


class ProductFilter(FilterForm):
    region_path = "provider__organisation__region"
    status = forms.ChoiceField(label=_("status"), choices=ProductStatus.choices)
    category = forms.ModelChoiceField(ServiceCategory.objects.all(), label=_("service category"))
    lookups = {"status": "status", "category": "category"}


class CatalogueFilter(FilterForm):
    """The firms' catalogue: the region is where the provider is registered or serves."""

    region_path = None
    category = forms.ModelChoiceField(ServiceCategory.objects.all(), label=_("service category"))
    served_in = forms.ModelChoiceField(Region.objects.filter(level__in=("province", "prefecture")),
                                       label=_("served in"))
    price_min = YuanField(label=_("price from (元)"), min_value=0)
    price_max = YuanField(label=_("price up to (元)"), min_value=0)
    min_rating = forms.ChoiceField(label=_("rating at least"), choices=[(str(n), f"{n} ★") for n in (4, 3, 2, 1)])
    programme = forms.ModelChoiceField(ProgrammeCode.objects.all(), label=_("voucher programme"),
                                       to_field_name="code")
    lookups = {"category": "category", "served_in": "served_in", "price_min": "price_fen__gte",
               "price_max": "price_fen__lte", "min_rating": "rating_avg__gte", "programme": "programmes"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["served_in"].queryset = Region.objects.filter(
            level__in=("province", "prefecture")).order_by("code")
        self.fields["category"].queryset = _categories()

    def apply(self, queryset, name, lookup, value):
        if name == "served_in":
            return queryset.filter(value.subtree_q("provider__organisation__region")
                                   | value.subtree_q("provider__regions")).distinct()
        if name == "min_rating":
            return queryset.filter(rating_avg__gte=Decimal(value))
        return super().apply(queryset, name, lookup, value)
