from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope
from fuhua.core.search import search_text
from fuhua.core.validators import validate_credit_code

from ..choices import OrganisationKind, Ownership


class CreditCodeField(models.CharField):
    """统一社会信用代码, upper-cased, checked against GB 32100-2015."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("verbose_name", _("unified social credit code"))
        kwargs.setdefault("validators", [validate_credit_code])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value


class SearchableModel(FuhuaModel):
    """Keeps a search column (name, pinyin, initials, code) current on every save."""

    search = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def search_parts(self) -> tuple[str, ...]:
        return (self.name,)

    def save(self, *args, **kwargs):
        self.search = search_text(*self.search_parts())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search"}
        super().save(*args, **kwargs)


class Organisation(SearchableModel):
    """A legal entity: carrier operators, universities, associations, service providers, investors."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = CreditCodeField(unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    # Who owns it: policies for 民营载体（含外资）pay private, foreign and HK/Macao/Taiwan-invested operators.
    ownership = models.CharField(_("ownership"), max_length=20, choices=Ownership.choices, blank=True,
                                 help_text=_("As registered (企业登记注册类型); empty when not yet recorded."))
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    founded = models.DateField(_("founded"), null=True, blank=True)

    scope = Scope(region="region", organisation="id", operator="id", association="id")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def search_parts(self):
        return (self.name, self.credit_code)
