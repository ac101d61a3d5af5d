import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import crosses_many, path_q

from .roles import ROLE_DIMENSION, SEPARATED_ROLES, Role

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
        # A separated administrator without a region works platform-wide (on its few permitted models).
        return self.role == Role.ADMIN or (self.role in SEPARATED_ROLES and self.region_id is None)

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
        paths = path if isinstance(path, tuple) else (path,)
        q = Q()
        for p in paths:
            condition = self.region.subtree_q(p) if name == "region" else path_q(p, value)
            if crosses_many(model, p):
                # A join through a to-many relation would repeat rows; an id subquery per path
                # keeps each condition index-driven (and ORs of subqueries stay cheap).
                condition = Q(pk__in=model._base_manager.filter(condition).values("pk"))
            q |= condition
        return q


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def default_token_expiry():
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)


def latest_token_expiry():
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)


class ApiToken(FuhuaModel):
    """A bearer token for the REST API. Only its hash is stored; the key is shown once.

    Every token expires (FUHUA_API_TOKEN_DAYS by default, FUHUA_API_TOKEN_MAX_DAYS at most); a token
    of a locked-out or inactive user does not authenticate."""

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
        """A new token; without `expires_at` it lives FUHUA_API_TOKEN_DAYS, and never past the maximum.
        Services (accounts.services.issue_token) check who may mint what; this only builds it."""
        key = "fh_" + secrets.token_urlsafe(32)
        expires_at = min(expires_at or default_token_expiry(), latest_token_expiry())
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=_hash(key), expires_at=expires_at)
        return token, key

    @classmethod
    def authenticate(cls, key: str):
        """The token a key belongs to, if it may be used now (None otherwise)."""
        from .lockout import is_locked_out

        token = cls.objects.select_related("user").filter(key_hash=_hash(key or "")).first()
        if token is None or not token.user.is_active:
            return None
        if token.expires_at is None or token.expires_at <= timezone.now():
            return None  # tokens from before expiry was required are refused too
        if is_locked_out(token.user.get_username()):
            return None
        return token

    @property
    def is_expired(self) -> bool:
        return self.expires_at is None or self.expires_at <= timezone.now()


class AccountProfile(models.Model):
    """Password bookkeeping and where an account belongs (for regional administrators)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    home_region = models.ForeignKey("registry.Region", null=True, blank=True, on_delete=models.PROTECT,
                                    verbose_name=_("home region"), related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("invited by"))

    class Meta:
        verbose_name = _("account profile")
        verbose_name_plural = _("account profiles")

    def __str__(self):
        return str(self.user)

    @classmethod
    def of(cls, user) -> "AccountProfile":
        profile = getattr(user, "_fuhua_profile", None)
        if profile is None:
            profile, _ = cls.objects.get_or_create(user=user)
            user._fuhua_profile = profile
        return profile


class SecurityEvent(models.Model):
    """A security-relevant event (MLPS 2.0 audit): sign-ins, failures, lockouts, password and token changes,
    role grants, exports. Append-only; read by the audit administrator."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("sign-in failed")
        LOGOUT = "logout", _("signed out")
        LOCKED_OUT = "locked_out", _("locked out")
        UNLOCKED = "unlocked", _("unlocked")
        RATE_LIMITED = "rate_limited", _("address rate-limited")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("password reset requested")
        PASSWORD_RESET = "password_reset", _("password reset")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        USER_INVITED = "user_invited", _("user invited")
        USER_ACTIVATED = "user_activated", _("user activated")
        USER_DEACTIVATED = "user_deactivated", _("user deactivated")
        ROLE_GRANTED = "role_granted", _("role granted")
        ROLE_REVOKED = "role_revoked", _("role revoked")
        EXPORT = "export", _("data exported")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    # The account's id stays when the account is deleted (the row is append-only; username keeps the name).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+")
    username = models.CharField(_("user"), max_length=150, blank=True)
    target = models.CharField(_("concerning"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=16, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    append_only = True  # database triggers (core.append_only); only retention pruning deletes, by `time`
    append_only_prunable_by = "time"

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["kind", "ip", "time"], name="securityevent_rate_idx"),
                   models.Index(fields=["username", "time"], name="securityevent_user_idx")]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.kind}"
