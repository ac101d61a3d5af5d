import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import crosses_many

from .roles import ROLE_DIMENSION, Role

# Which grant field each role needs filled in.
_REQUIRED_FIELD = {
    Role.BUREAU: "region",
    Role.ASSOCIATION: "organisation",
    Role.OPERATOR: "organisation",
    Role.FIRM: "firm",
    Role.SERVICE_PROVIDER: "organisation",
    Role.MENTOR: "mentor",
    Role.INVESTOR: "investor",
}


class RoleGrant(FuhuaModel):
    """A user holds a role within a scope: a region, an organisation, a firm or a profile."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey("registry.Region", null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True, on_delete=models.CASCADE)
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.CASCADE)
    mentor = models.ForeignKey("registry.MentorProfile", null=True, blank=True, on_delete=models.CASCADE)
    investor = models.ForeignKey("registry.InvestorProfile", null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")

    def __str__(self):
        target = self.region or self.organisation or self.firm or self.mentor or self.investor or ""
        return f"{self.user} · {self.get_role_display()} {target}".strip()

    def clean(self):
        needed = _REQUIRED_FIELD.get(self.role)
        if needed and getattr(self, f"{needed}_id") is None:
            raise ValidationError({needed: _("This role needs a %(field)s.") % {"field": needed}})

    @property
    def is_unlimited(self) -> bool:
        return self.role == Role.ADMIN

    def condition_for(self, model) -> Q | None:
        """The filter this grant contributes for `model` (by its Scope); None when it contributes nothing."""
        dimension = ROLE_DIMENSION.get(self.role)
        if dimension is None:
            return None
        name, field = dimension
        path = getattr(model.scope, name)
        value = getattr(self, f"{field}_id")
        if not path or value is None:
            return None
        paths = (path,) if isinstance(path, str) else path
        q = Q()
        for p in paths:
            condition = self.region.subtree_q(p) if name == "region" else Q(**{p: value})
            if crosses_many(model, p):
                # A join through a to-many relation would repeat rows; an id subquery per path
                # keeps each condition index-driven (and ORs of subqueries stay cheap).
                condition = Q(pk__in=model._base_manager.filter(condition).values("pk"))
            q |= condition
        return q


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(FuhuaModel):
    """A bearer token for the REST API. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name: str, expires_at=None) -> tuple["ApiToken", str]:
        key = "fh_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=_hash(key), expires_at=expires_at)
        return token, key

    @classmethod
    def authenticate(cls, key: str):
        token = cls.objects.select_related("user").filter(key_hash=_hash(key or "")).first()
        if token is None or not token.user.is_active:
            return None
        if token.expires_at and token.expires_at <= timezone.now():
            return None
        return token.user
