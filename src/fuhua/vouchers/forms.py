"""Forms of the voucher pages. They only read input: every write goes through `vouchers.services`."""

from __future__ import annotations

import uuid

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuhua.core.forms import DateInput, YuanField
from fuhua.marketplace.models import Product

from .models import (
    AuditItemStatus,
    AuditSample,
    BatchStatus,
    EntryKind,
    OrderStatus,
    RedemptionStatus,
    VoucherProgramme,
    VoucherStatus,
)


def new_key() -> str:
    """A fresh request key for one claim form: a double click or a retry sends the same key again."""
    return uuid.uuid4().hex


class ClaimForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ProductPicker(forms.Widget):
    """The catalogue picker of an order: a search box (name, pinyin, initials) asking the voucher's own
    endpoint for the products this voucher may pay for, with what it covers and what the firm pays."""

    template_name = "vouchers/widgets/product_picker.html"

    def __init__(self, voucher=None, attrs=None):
        super().__init__(attrs)
        self.voucher = voucher

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = None
        if value not in (None, "") and str(value).isdigit():
            chosen = Product.objects.filter(pk=value).first()
        context["widget"].update({
            "url": reverse("vouchers:voucher_products", kwargs={"pk": self.voucher.pk}) if self.voucher else "",
            "search_name": f"{name}-autocomplete",
            "chosen_label": str(chosen) if chosen else "",
            "placeholder": _("Type a service, its pinyin or initials"),
        })
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class OrderForm(forms.Form):
    product = forms.IntegerField(label=_("Service from the catalogue"), min_value=1,
                                 error_messages={"required": _("Pick a service from the catalogue.")})
    note = forms.CharField(label=_("Note to the provider"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, voucher=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget = ProductPicker(voucher)


class StepForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("What it is"), max_length=120,
                            help_text=_("e.g. patent filing receipt, test report, audit report"))
    file = forms.FileField(label=_("File"), help_text=_("PDF, image, Word, Excel or ZIP, at most 20 MB"))


class DeliverForm(forms.Form):
    delivery_note = forms.CharField(label=_("What was delivered"), max_length=2000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Score"), coerce=int,
                                   choices=[(5, "★★★★★ 5"), (4, "★★★★ 4"), (3, "★★★ 3"), (2, "★★ 2"), (1, "★ 1")])
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class ReviewForm(forms.Form):
    """The bureau's decision on the redemptions ticked in the list (several at once)."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={
        "required": _("Tick the redemptions to decide first.")})
    decision = forms.ChoiceField(choices=[("approve", _("approve")), ("reject", _("reject"))])
    reason = forms.CharField(label=_("Reason (required to reject)"), max_length=500, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in choices]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the rejection: the provider reads it."))
        return data


class SettleForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    reference = forms.CharField(label=_("Payment reference"), max_length=80, required=False)


class AuditDrawForm(forms.Form):
    seed = forms.IntegerField(label=_("Seed (empty: drawn now; the same seed draws the same sample)"),
                              required=False, min_value=0)


class FindingForm(forms.Form):
    transition = forms.ChoiceField(choices=[("pass", _("no finding")), ("find", _("finding"))],
                                   widget=forms.HiddenInput)
    finding = forms.CharField(label=_("Finding"), max_length=500, required=False)
    clawback_fen = YuanField(label=_("Claw back (yuan)"), required=False, min_value=0)


# --- list filters (core.views.generic.ObjectListView) ----------------------------------------------


def _programme_field():
    return forms.ModelChoiceField(VoucherProgramme.objects.none(), required=False, label=_("programme"),
                                  to_field_name="code")


class _Filter(forms.Form):
    """A list filter: each filled field narrows the rows through its ORM lookup in `lookups`; the programme
    choice lists the user's programmes only. (`core.forms.FilterForm` adds an "all" choice to every choice
    field, which a multiple choice of statuses cannot take.)"""

    lookups: dict[str, str] = {}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "programme" in self.fields and user is not None:
            self.fields["programme"].queryset = VoucherProgramme.objects.restrict(user).order_by("code")

    def filter(self, qs):
        for name, lookup in self.lookups.items():
            value = self.cleaned_data.get(name)
            if value:
                qs = qs.filter(**{lookup: value})
        return qs


class VoucherFilter(_Filter):
    programme = _programme_field()
    status = forms.MultipleChoiceField(choices=VoucherStatus.choices, required=False, label=_("status"))
    expiring_by = forms.DateField(required=False, label=_("valid until at most"), widget=DateInput())
    lookups = {"programme": "batch__programme", "status": "status__in", "expiring_by": "valid_until__lte"}


class OrderFilter(_Filter):
    programme = _programme_field()
    status = forms.MultipleChoiceField(choices=OrderStatus.choices, required=False, label=_("status"))
    due_by = forms.DateField(required=False, label=_("delivery due by at most"), widget=DateInput())
    lookups = {"programme": "voucher__batch__programme", "status": "status__in", "due_by": "deliver_by__lte"}


class RedemptionFilter(_Filter):
    programme = _programme_field()
    status = forms.MultipleChoiceField(choices=RedemptionStatus.choices, required=False, label=_("status"))
    lookups = {"programme": "order__voucher__batch__programme", "status": "status__in"}


class LedgerFilter(_Filter):
    programme = _programme_field()
    kind = forms.ChoiceField(choices=[("", "—"), *EntryKind.choices], required=False, label=_("kind"))
    lookups = {"programme": "programme", "kind": "kind"}


class BatchFilter(_Filter):
    programme = _programme_field()
    status = forms.ChoiceField(choices=[("", "—"), *BatchStatus.choices], required=False, label=_("status"))
    lookups = {"programme": "programme", "status": "status"}


class AuditItemFilter(_Filter):
    sample = forms.ModelChoiceField(AuditSample.objects.none(), required=False, label=_("sample"))
    programme = _programme_field()
    status = forms.MultipleChoiceField(choices=AuditItemStatus.choices, required=False, label=_("status"))
    lookups = {"sample": "sample", "programme": "sample__programme", "status": "status__in"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user is not None:
            self.fields["sample"].queryset = AuditSample.objects.restrict(user).select_related("programme")
