"""Account administration pages: users, role grants, lockouts, who-can-do-what, security events.

Thin: every change goes through accounts.services, which checks the administrator's powers and scope."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services
from .lockout import is_locked_out, locked_out_usernames
from .models import RoleGrant, SecurityEvent
from .permissions_matrix import permission_matrix
from .roles import ADMIN_ROLES, Role

_Region = RoleGrant._meta.get_field("region").related_model


def _region_field(required=False):
    return forms.ModelChoiceField(label=gettext_lazy("Region"), queryset=_Region.objects.order_by("code"),
                                  required=required, to_field_name="code")


class UserFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False,
                             choices=[("", gettext_lazy("any")), *Role.choices])
    region = _region_field()
    active = forms.ChoiceField(label=gettext_lazy("Active"), required=False, choices=[
        ("", gettext_lazy("any")), ("1", gettext_lazy("active")), ("0", gettext_lazy("inactive"))])
    status = forms.ChoiceField(label=gettext_lazy("Awaiting"), required=False, choices=[
        ("", gettext_lazy("any")), ("invited", gettext_lazy("invitation not accepted")),
        ("no_role", gettext_lazy("no role yet")), ("locked", gettext_lazy("sign-in locked"))])


class InviteForm(forms.Form):
    username = forms.RegexField(label=gettext_lazy("User name"), regex=r"^[\w.@+-]+$", max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    last_name = forms.CharField(label=gettext_lazy("Family name"), required=False, max_length=150)
    first_name = forms.CharField(label=gettext_lazy("Given name"), required=False, max_length=150)
    home_region = _region_field()


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    region = _region_field()
    organisation = forms.IntegerField(label=gettext_lazy("Organisation (id)"), required=False, min_value=1)
    firm = forms.IntegerField(label=gettext_lazy("Firm (id)"), required=False, min_value=1)
    mentor = forms.IntegerField(label=gettext_lazy("Mentor (id)"), required=False, min_value=1)
    investor = forms.IntegerField(label=gettext_lazy("Investor (id)"), required=False, min_value=1)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None and services.admin_regions(actor, "grants") is not None:
            self.fields["role"].choices = [c for c in Role.choices if c[0] not in ADMIN_ROLES]

    def scope(self, actor) -> dict:
        """The grant's scope objects, each looked up within what `actor` may see."""
        scope = {"region": self.cleaned_data.get("region")}
        for field in ("organisation", "firm", "mentor", "investor"):
            pk = self.cleaned_data.get(field)
            if pk:
                model = RoleGrant._meta.get_field(field).related_model
                scope[field] = model.objects.restrict(actor, "view").filter(pk=pk).first()
                if scope[field] is None:
                    raise ValidationError({field: _("Not found in your scope.")})
        return scope


def _require_any(user, *powers):
    if not any(services.has_power(user, p) for p in powers):
        raise PermissionDenied(_("Your role may not administer accounts."))


@login_required
def user_list(request):
    _require_any(request.user, "users", "grants", "locks")
    form = UserFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    users = services.user_list(request.user, role=data.get("role", ""), region=data.get("region"),
                               active=data.get("active", ""), query=data.get("q", ""),
                               status=data.get("status", ""))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    locked = None
    if services.has_power(request.user, "locks"):
        locked = services.users_in_scope(request.user, "locks").filter(
            username__in=locked_out_usernames()).order_by("username")
    return render(request, "accounts/user_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "locked": locked,
        "can_invite": services.has_power(request.user, "users")})


@login_required
def invite(request):
    services.require(request.user, "users")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_user(request.user, request, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(user)s is invited; the invitation went to %(email)s.") % {
                "user": user.username, "email": user.email})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_invite.html", {"form": form})


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _visible_user(request, pk):
    _require_any(request.user, "users", "grants", "locks")
    users = services.users_in_scope(request.user, "users") if services.has_power(request.user, "users") else \
        services.users_in_scope(request.user, "grants" if services.has_power(request.user, "grants") else "locks")
    return get_object_or_404(users, pk=pk)


@login_required
def user_detail(request, pk):
    target = _visible_user(request, pk)
    actor = request.user
    return render(request, "accounts/user_detail.html", {
        "target": target,
        "grants": target.role_grants.select_related("region", "organisation", "firm", "mentor", "investor"),
        "locked": is_locked_out(target.get_username()),
        "grant_form": GrantForm(actor=actor) if services.has_power(actor, "grants") else None,
        "can_users": services.has_power(actor, "users"),
        "can_grants": services.has_power(actor, "grants"),
        "can_unlock": services.has_power(actor, "locks"),
        "tokens": services.tokens_visible_to(actor).filter(user=target) if services.has_power(actor, "tokens")
        else None,
        "is_self": target.pk == actor.pk,
    })


@login_required
@require_POST
def user_action(request, pk, action):
    target = _visible_user(request, pk)
    actor = request.user
    try:
        if action in ("activate", "deactivate"):
            services.set_active(actor, request, target, action == "activate")
            messages.success(request, _("Account activated.") if action == "activate" else _("Account deactivated."))
        elif action == "reset-password":
            services.reset_password(actor, request, target)
            messages.success(request, _("The old password no longer works; a link to choose a new one went to "
                                        "%(email)s.") % {"email": target.email})
        elif action == "unlock":
            services.unlock_account(actor, request, target)
            messages.success(request, _("Sign-in is unlocked."))
        elif action == "grant":
            form = GrantForm(request.POST, actor=actor)
            if not form.is_valid():
                raise ValidationError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
            services.grant_role(actor, request, target, form.cleaned_data["role"], **form.scope(actor))
            messages.success(request, _("Role granted."))
        else:
            raise PermissionDenied(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def revoke_grant(request, pk):
    services.require(request.user, "grants")
    grant = get_object_or_404(RoleGrant.objects.filter(user__in=services.users_in_scope(request.user, "grants")),
                              pk=pk)
    try:
        services.revoke_grant(request.user, request, grant)
        messages.success(request, _("Role revoked."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:user_detail", pk=grant.user_id)


@login_required
def permissions(request):
    """Who can do what: the role × model matrix of accounts.roles in words (any signed-in user may read it)."""
    return render(request, "accounts/permissions.html", permission_matrix())


def _day(value):
    """A YYYY-MM-DD query parameter as a date (None when absent or malformed)."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def security_events(request):
    """The security events, for the audit administrator (and nobody who administers accounts)."""
    kinds, username = request.GET.getlist("kind"), request.GET.get("user", "")
    since, until = _day(request.GET.get("since")), _day(request.GET.get("until"))
    events = services.security_events(request.user, kinds=kinds, since=since, until=until, username=username)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    kind = kinds[0] if len(kinds) == 1 else ""
    return render(request, "accounts/security_events.html", {
        "query": query.urlencode(), "kind_list": [k for k in kinds if k in SecurityEvent.Kind.values],
        "since": since, "until": until,
        "page": page, "kinds": SecurityEvent.Kind.choices, "kind": kind, "username": username})


@login_required
def audit_trail(request):
    """Every recorded change (core.audit), newest first, for the audit administrator."""
    from fuhua.core.models import ObjectChange

    services.require(request.user, "audit")
    changes = ObjectChange.objects.select_related("content_type")
    username, request_id = request.GET.get("user", "")[:150], request.GET.get("request_id", "")[:64]
    if username:
        changes = changes.filter(username=username)
    if request_id:
        changes = changes.filter(request_id=request_id)
    page = Paginator(changes.order_by("-time", "-id"), 100).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_trail.html", {"page": page, "username": username,
                                                          "request_id": request_id})
