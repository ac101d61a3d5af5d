"""Form plumbing shared by every app: scoped choices and service errors mapped onto fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from . import extensions, formatting
from .autocomplete import AutocompleteSelect, use_autocomplete
from .permissions import policy


class DateInput(forms.DateInput):
    """The one date widget: the browser's date picker in Chinese, its value always YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs={"lang": "zh-CN", **(attrs or {})}, format=format)


def use_date_inputs(form) -> None:
    """Give every date field of `form` the date picker (idempotent)."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField) \
                and not isinstance(field.widget, DateInput) and not field.widget.is_hidden:
            attrs = {k: v for k, v in field.widget.attrs.items() if k != "type"}
            field.widget = DateInput(attrs)


class YuanField(forms.DecimalField):
    """Money typed in 元 (up to two decimals) and cleaned to integer fen, the storage unit."""

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_digits", 17)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):  # a stored amount in fen
            return formatting.yuan(value, cents=None).replace(",", "")
        return value

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else int((amount * 100).to_integral_value())


def use_yuan_inputs(form) -> None:
    """Every `*_fen` integer field of `form` is typed in 元 (its label says 元, not 分)."""
    for name, field in list(form.fields.items()):
        if name.endswith("_fen") and isinstance(field, forms.IntegerField):
            form.fields[name] = YuanField(label=formatting.money_label(field.label), required=field.required,
                                          help_text=field.help_text, initial=field.initial, disabled=field.disabled)


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that is never saved itself: the view hands `service_data()` to core.services.

    `user` narrows every choice field to what the user may view, so people pick only what they may
    see; the services check the scope again on write anyway.
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        use_date_inputs(self)
        use_yuan_inputs(self)
        use_autocomplete(self)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and name != "region":
                # A model whose name (its __str__) reads related objects lists them in `label_related`, so that a
                # select of them costs one query rather than one per option.
                model = field.queryset.model
                field.queryset = model.objects.restrict(user, "view")
                if getattr(model, "label_related", ()):  # (select_related() of nothing would join every key)
                    field.queryset = field.queryset.select_related(*model.label_related)
        region = extensions.region_hooks()
        if "region" in self.fields and region is not None:  # the registry's region select (core.extensions)
            self.fields["region"] = region.field(user=user, required=self.fields["region"].required,
                                                 label=self.fields["region"].label)
            if self.instance.pk and not self.is_bound:
                self.initial["region"] = self.instance.region_id
        self._disable_protected()

    def _disable_protected(self) -> None:
        """Fields the user's role may not write (accounts.roles.PROTECTED_FIELDS) are shown but not
        editable: a disabled field keeps its value, which core.services would refuse to change anyway."""
        protected_fields = policy().protected_fields
        if self.user is None or not self.user.is_authenticated:
            return
        action = "change" if self.instance.pk else "add"
        for name in protected_fields(self.user, self._meta.model, action) & set(self.fields):
            field = self.fields[name]
            field.disabled = True
            if isinstance(field.widget, AutocompleteSelect):
                # Nothing to look up in a field one may not change (and whose model one may not even view): the
                # current choice alone, shown as it is.
                current = getattr(self.instance, name, None) if self.instance.pk else None
                field.widget = forms.Select(attrs=field.widget.attrs)
                field.widget.choices = [("", "---------")] + ([(current.pk, str(current))] if current else [])

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}

    def save(self, commit=True):  # pragma: no cover - guard against the easy mistake
        raise NotImplementedError("save through fuhua.core.services (create_object/update_object)")


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed messages on their fields, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        if field not in form.fields and field != NON_FIELD_ERRORS:
            messages = [f"{field}: {m}" for m in messages]
        form.add_error(target, messages)


class CreditCodeChoiceField(forms.ModelChoiceField):
    """Pick an organisation or firm by its unified social credit code (too many of them for a select)."""

    widget = forms.TextInput

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("help_text", _("Enter the 18-character unified social credit code."))
        kwargs.setdefault("error_messages", {"invalid_choice": _("No record with this credit code in your scope.")})
        super().__init__(queryset, to_field_name="credit_code", **kwargs)

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):  # a disabled field's initial primary key
            return self.queryset.model._base_manager.filter(pk=value).first()
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)

    def prepare_value(self, value):
        if isinstance(value, int):  # an initial primary key from the instance
            obj = self.queryset.model._base_manager.filter(pk=value).first()
            return obj.credit_code if obj else value
        return super().prepare_value(value)


class FilterForm(forms.Form):
    """List filters. `lookups` maps each field to its ORM lookup; `region_path` is the path to a Region.

    The region comes from the cascading picker (several `region` values, deepest consistent wins) or a
    typed code; it filters by code prefix, so a province includes its cities and districts.
    """

    region_path: str | None = "region"
    lookups: dict[str, str] = {}

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.region_values = data.getlist("region") if data is not None else []
        if self.region_path:
            self.fields = {"region": forms.CharField(required=False, label=_("region")), **self.fields}
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] != "":
                field.choices = [("", _("all")), *field.choices]
            field.required = False

    @property
    def region_levels(self):
        region = extensions.region_hooks()
        return region.picker_levels(self.region_values) if region else []

    def filter(self, queryset):
        region = extensions.region_hooks()
        prefix = region.chosen_prefix(self.region_values) if region else ""
        if self.region_path and prefix:
            queryset = queryset.filter(region.under_prefix(self.region_path, prefix))
        for name, lookup in self.lookups.items():
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                queryset = self.apply(queryset, name, lookup, value)
        return queryset

    def apply(self, queryset, name, lookup, value):
        return queryset.filter(**{lookup: value})


class StepForm(forms.Form):
    """One workflow step; whether the reason is required is the service's (the workflow's) decision."""

    transition = forms.CharField(label=_("step"), widget=forms.HiddenInput)  # named in its errors
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)

    def __init__(self, *args, transitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.transitions = {t.name: t for t in transitions}

    def clean_transition(self):
        name = self.cleaned_data["transition"]
        if name not in self.transitions:
            raise forms.ValidationError(_("This step is not available for this record."))
        return name
