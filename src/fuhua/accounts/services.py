"""Account administration and API tokens: the services that pages, the API and commands all call.

Who may administer whom (MLPS 2.0 三员分立, roles.ACCOUNT_POWERS):
- a platform-wide administrator (Role.ADMIN, or a separated administrator without a region) acts on
  every account; a regional one (a bureau's administrator) only on accounts that belong to its region
  subtree (their home region or any of their grants lies in it);
- a regional administrator grants only within its region subtree and never an administering role;
- the three separated roles exclude each other, and nobody changes their own roles or standing.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from fuhua.core.context import acting_for

from .models import AccountProfile, ApiToken, RoleGrant, SecurityEvent
from .roles import ACCOUNT_POWERS, ADMIN_ROLES, ROLE_DIMENSION, SEPARATED_ROLES, Role, grants_of
from .security import record_security_event

# The grant field that names a role's scope object, and where that object's region is.
_SCOPE_FIELDS = ("region", "organisation", "firm", "mentor", "investor")
_GRANT_REGION_PATHS = ("region", "organisation__region", "firm__region", "mentor__region", "investor__region")


# --- powers and scope ----------------------------------------------------------------------------------

def _admin_grants(user, power: str) -> list[RoleGrant]:
    return [g for g in grants_of(user) if power in ACCOUNT_POWERS.get(g.role, ())]


def has_power(user, power: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(_admin_grants(user, power))


def _is_platform_wide(grant: RoleGrant) -> bool:
    return grant.role == Role.ADMIN or grant.region_id is None


def admin_regions(user, power: str) -> list | None:
    """The regions within which `user` holds `power`; None: everywhere; []: nowhere."""
    if user.is_superuser:
        return None
    grants = _admin_grants(user, power)
    if any(_is_platform_wide(g) for g in grants):
        return None
    return [g.region for g in grants]


def users_in_scope(actor, power: str):
    """The accounts `actor` may administer with `power` (see the module's docstring)."""
    users = get_user_model().objects.all()
    regions = admin_regions(actor, power) if has_power(actor, power) else []
    if regions is None:
        return users
    q = Q(pk__in=[])
    for region in regions:
        q |= region.subtree_q("account__home_region")
        for path in _GRANT_REGION_PATHS:
            q |= Q(pk__in=RoleGrant.objects.filter(region.subtree_q(path)).values("user_id"))
    return users.filter(q).distinct()


def require(actor, power: str, target=None) -> None:
    """Raise PermissionDenied unless `actor` holds `power` (over `target`, when given)."""
    if not has_power(actor, power):
        raise PermissionDenied(_("Your role may not administer accounts this way."))
    if target is not None and not users_in_scope(actor, power).filter(pk=target.pk).exists():
        raise PermissionDenied(_("This account is outside your scope."))


def _not_self(actor, target) -> None:
    if actor.pk == target.pk:
        raise PermissionDenied(_("Administrators do not change their own account this way; ask another."))


def _region_allowed(actor, power: str, region) -> bool:
    regions = admin_regions(actor, power)
    return regions is None or (region is not None and any(
        region.pk.startswith(r.code_prefix) for r in regions))


# --- users ---------------------------------------------------------------------------------------------

# The user list's `status` filter: accounts awaiting an administrator (the inbox links to each).
USER_STATUSES = ("invited", "no_role", "locked")


def _with_status(users, status: str):
    if status == "invited":  # invited, never signed in: the invitation is not accepted yet
        return users.filter(is_active=False, last_login=None, account__invited_by__isnull=False)
    if status == "no_role":  # active accounts that can do nothing yet (the superuser needs no grant)
        return users.filter(is_active=True, is_superuser=False, role_grants__isnull=True)
    if status == "locked":
        from .lockout import locked_out_usernames

        return users.filter(username__in=locked_out_usernames())
    return users


def _listable(actor):
    """The accounts the user list shows `actor`: those it administers, or else those it grants roles to."""
    return users_in_scope(actor, "users") if has_power(actor, "users") else users_in_scope(actor, "grants")


def user_list(actor, *, role: str = "", region=None, active: str = "", query: str = "", status: str = ""):
    users = _with_status(_listable(actor), status)
    if role:
        users = users.filter(pk__in=RoleGrant.objects.filter(role=role).values("user_id"))
    if region is not None:
        q = region.subtree_q("account__home_region")
        for path in _GRANT_REGION_PATHS:
            q |= Q(pk__in=RoleGrant.objects.filter(region.subtree_q(path)).values("user_id"))
        users = users.filter(q)
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(email__icontains=query)
                             | Q(first_name__icontains=query) | Q(last_name__icontains=query))
    return users.select_related("account__home_region").prefetch_related("role_grants__region").order_by("username")


def _link(request, name: str, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(name, kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})
    return request.build_absolute_uri(path) if request is not None else path


def _mail(user, subject: str, template: str, link: str) -> None:
    body = render_to_string(template, {"user": user, "link": link})
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def invite_user(actor, request, *, username: str, email: str, first_name: str = "", last_name: str = "",
                home_region=None):
    """Create an inactive account and e-mail its owner a link to choose a password (which activates it)."""
    require(actor, "users")
    if not _region_allowed(actor, "users", home_region):
        raise ValidationError({"home_region": _("Choose a region within your own.")})
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    if not email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    user = user_model(username=username, email=email, first_name=first_name, last_name=last_name, is_active=False)
    user.set_unusable_password()
    with acting_for(actor):
        user.save()
        profile = AccountProfile.of(user)
        profile.home_region, profile.invited_by, profile.must_change_password = home_region, actor, True
        profile.save()
    record_security_event(request or actor, SecurityEvent.Kind.USER_INVITED, {"email": email}, target=username)
    link = _link(request, "accounts:invitation", user)
    transaction.on_commit(lambda: _mail(user, _("Your Fuhua account"), "accounts/email/invitation.txt", link))
    return user


def set_active(actor, request, target, active: bool) -> None:
    require(actor, "users", target)
    _not_self(actor, target)
    if target.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser changes a superuser."))
    if target.is_active == active:
        return
    target.is_active = active
    with acting_for(actor):
        target.save(update_fields=["is_active"])
    kind = SecurityEvent.Kind.USER_ACTIVATED if active else SecurityEvent.Kind.USER_DEACTIVATED
    record_security_event(request or actor, kind, target=target.get_username())


def reset_password(actor, request, target) -> None:
    """The old password stops working and the owner gets a link to choose a new one."""
    require(actor, "users", target)
    _not_self(actor, target)
    if not target.email:
        raise ValidationError({"email": _("This account has no e-mail address to send the link to.")})
    target.set_unusable_password()
    with acting_for(actor):
        target.save()
    record_security_event(request or actor, SecurityEvent.Kind.PASSWORD_RESET_REQUESTED, {"by": "administrator"},
                          target=target.get_username())
    link = _link(request, "accounts:password_reset_confirm", target)
    _mail(target, _("Choose a new Fuhua password"), "accounts/email/password_reset_by_admin.txt", link)


def accounts_awaiting(actor, status: str) -> int:
    """How many accounts the user list shows `actor` with `status` (USER_STATUSES): one COUNT, for the inbox."""
    if not (has_power(actor, "users") or has_power(actor, "grants")):
        return 0
    return _with_status(_listable(actor), status).count()


# --- role grants ---------------------------------------------------------------------------------------

def _check_scope_object(actor, grant: RoleGrant) -> None:
    for field in _SCOPE_FIELDS[1:]:
        obj = getattr(grant, field)
        if obj is None:
            continue
        if not type(obj).objects.restrict(actor, "view").filter(pk=obj.pk).exists():
            raise ValidationError({field: _("This is outside your scope.")})
        if not _region_allowed(actor, "grants", obj.region):
            raise ValidationError({field: _("This is outside your region.")})
    if grant.region is not None and not _region_allowed(actor, "grants", grant.region):
        raise ValidationError({"region": _("Choose a region within your own.")})


@transaction.atomic
def grant_role(actor, request, target, role: str, **scope) -> RoleGrant:
    _not_self(actor, target)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role in ADMIN_ROLES and admin_regions(actor, "grants") is not None:
        raise PermissionDenied(_("Only a platform-wide administrator grants administrator roles."))
    require(actor, "grants", target)
    held = {g.role for g in target.role_grants.all()}
    if role in SEPARATED_ROLES and held & (ADMIN_ROLES - {role}):
        raise ValidationError({"role": _("System, security and audit administration are held by different "
                                         "people: this account already administers.")})
    if role == Role.ADMIN and held & SEPARATED_ROLES:
        raise ValidationError({"role": _("This account already holds a separated administrator role.")})
    values = {f: scope.get(f) for f in _SCOPE_FIELDS}
    if ROLE_DIMENSION.get(role) is None or role == Role.EXPERT:
        values = dict.fromkeys(_SCOPE_FIELDS)
    grant = RoleGrant(user=target, role=role, **values)
    grant.full_clean(exclude=["user"])
    _check_scope_object(actor, grant)
    if target.role_grants.filter(role=role, **{f"{f}_id": getattr(grant, f"{f}_id") for f in _SCOPE_FIELDS}).exists():
        raise ValidationError({"role": _("This account already holds this role here.")})
    with acting_for(actor):
        grant.save()
    record_security_event(request or actor, SecurityEvent.Kind.ROLE_GRANTED,
                          {"role": role, "scope": str(grant).split("·", 1)[-1].strip()}, target=target.get_username())
    return grant


def revoke_grant(actor, request, grant: RoleGrant) -> None:
    require(actor, "grants", grant.user)
    _not_self(actor, grant.user)
    if grant.role in ADMIN_ROLES and admin_regions(actor, "grants") is not None:
        raise PermissionDenied(_("Only a platform-wide administrator revokes administrator roles."))
    _check_scope_object(actor, grant)
    detail = {"role": grant.role, "scope": str(grant).split("·", 1)[-1].strip()}
    username = grant.user.get_username()
    with acting_for(actor):
        grant.delete()
    record_security_event(request or actor, SecurityEvent.Kind.ROLE_REVOKED, detail, target=username)


def unlock_account(actor, request, target) -> int:
    from .lockout import unlock

    require(actor, "locks", target)
    removed = unlock(target.get_username())
    record_security_event(request or actor, SecurityEvent.Kind.UNLOCKED, target=target.get_username())
    return removed


# --- API tokens ----------------------------------------------------------------------------------------

def issue_token(user, request, name: str, expires_at: datetime.datetime | None = None, *, via_token=None):
    """A new token for `user`. Made with another token (`via_token`), it cannot outlive that token (F10)."""
    now = timezone.now()
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)  # read in the site's time zone (Asia/Shanghai)
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if via_token is not None:
        if expires_at is not None and expires_at > via_token.expires_at:
            raise ValidationError({"expires_at": _("A token cannot outlive the token that creates it (%(at)s).")
                                   % {"at": timezone.localtime(via_token.expires_at).strftime("%Y-%m-%d %H:%M")}})
        expires_at = min(expires_at or via_token.expires_at, via_token.expires_at)
    with acting_for(user):
        token, key = ApiToken.issue(user, name, expires_at=expires_at)
    record_security_event(request or user, SecurityEvent.Kind.TOKEN_CREATED,
                          {"token": token.prefix, "name": name, "expires_at": token.expires_at.isoformat()},
                          target=user.get_username())
    return token, key


def tokens_visible_to(actor, *, mine_only: bool = False):
    tokens = ApiToken.objects.select_related("user")
    if mine_only or not has_power(actor, "tokens"):
        return tokens.filter(user=actor)
    return tokens.filter(Q(user=actor) | Q(user__in=users_in_scope(actor, "tokens")))


def expiring_tokens(actor, first: datetime.date, last: datetime.date):
    """Tokens visible to a token administrator that expire between the two days (inclusive, local time)."""
    tokens = tokens_visible_to(actor) if has_power(actor, "tokens") else ApiToken.objects.none()
    return tokens.filter(expires_at__gte=_start_of(first), expires_at__lt=_start_of(last + datetime.timedelta(days=1)))


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the site's time zone (a range on the column itself keeps its index usable)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def revoke_token(actor, request, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        require(actor, "tokens", token.user)
    detail = {"token": token.prefix, "name": token.name}
    username = token.user.get_username()
    with acting_for(actor):
        token.delete()
    record_security_event(request or actor, SecurityEvent.Kind.TOKEN_REVOKED, detail, target=username)


# --- security events -----------------------------------------------------------------------------------

# What the audit administrator reviews: failed and blocked sign-ins, changes of who may do what, exports.
REVIEW_KINDS = (SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.LOCKED_OUT, SecurityEvent.Kind.RATE_LIMITED,
                SecurityEvent.Kind.ROLE_GRANTED, SecurityEvent.Kind.ROLE_REVOKED, SecurityEvent.Kind.EXPORT)


def security_events(actor, *, kinds=(), since: datetime.date | None = None, until: datetime.date | None = None,
                    username: str = ""):
    """The security events the audit administrator reads, filtered by kinds, days (inclusive) and account."""
    require(actor, "audit")
    events = SecurityEvent.objects.all()
    kinds = [k for k in kinds if k in SecurityEvent.Kind.values]
    if kinds:
        events = events.filter(kind__in=kinds)
    if since is not None:
        events = events.filter(time__gte=_start_of(since))
    if until is not None:
        events = events.filter(time__lt=_start_of(until + datetime.timedelta(days=1)))
    if username:
        events = events.filter(Q(username=username[:150]) | Q(target=username[:150]))
    return events.order_by("-time", "-id")
