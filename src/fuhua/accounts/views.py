"""Sign-in, passwords (change, expiry, reset by e-mail, invitations) and one's own API tokens."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuhua.core.middleware import safe_next

from . import services
from .lockout import address_is_rate_limited
from .models import AccountProfile, SecurityEvent
from .security import record_security_event


class LoginView(auth_views.LoginView):
    """Django's sign-in, refusing an address that failed too often (across accounts) for a while."""

    def post(self, request, *args, **kwargs):
        if address_is_rate_limited(getattr(request, "client_ip", None)):
            record_security_event(request, SecurityEvent.Kind.RATE_LIMITED,
                                  username=request.POST.get("username", "")[:150])
            return render(request, "accounts/rate_limited.html", status=429)
        return super().post(request, *args, **kwargs)


class _OwnPassword:
    """A password chosen by the account's owner: no forced change afterwards."""

    def form_valid(self, form):
        user = form.user
        user._fuhua_password_is_initial = False
        response = super().form_valid(form)
        profile = AccountProfile.of(user)
        if profile.must_change_password:  # unchanged hash is impossible, but keep the flag honest
            profile.must_change_password = False
            profile.save(update_fields=["must_change_password"])
        return response


class PasswordChangeView(_OwnPassword, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = AccountProfile.of(self.request.user)
        context["must_change"] = profile.must_change_password and settings.FORCE_INITIAL_PASSWORD_CHANGE
        context["expired"] = password_expired(self.request.user, profile)
        context["max_age"] = settings.PASSWORD_MAX_AGE_DAYS
        return context


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        record_security_event(self.request, SecurityEvent.Kind.PASSWORD_RESET_REQUESTED,
                              {"email": form.cleaned_data["email"]})
        return super().form_valid(form)


class PasswordResetConfirmView(_OwnPassword, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class InvitationView(PasswordResetConfirmView):
    """An invited user chooses a password; that activates the account (only one that never signed in)."""

    template_name = "accounts/invitation.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        user = form.user
        if user.last_login is None and AccountProfile.of(user).invited_by_id is not None:
            user.is_active = True
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Please sign in."))
        return response


def password_expired(user, profile: AccountProfile | None = None) -> bool:
    if settings.PASSWORD_MAX_AGE_DAYS <= 0:
        return False
    profile = profile or AccountProfile.of(user)
    changed = profile.password_changed_at or user.date_joined
    return changed + datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS) <= timezone.now()


# --- my API tokens -------------------------------------------------------------------------------------

class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What it is for"), max_length=100)
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1,
                              max_value=settings.API_TOKEN_MAX_DAYS, initial=settings.API_TOKEN_DAYS)


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        expires = timezone.now() + datetime.timedelta(days=form.cleaned_data["days"])
        try:
            _token, new_key = services.issue_token(request.user, request, form.cleaned_data["name"], expires)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = TokenForm()
    mine = services.tokens_visible_to(request.user, mine_only=True).order_by("-created_at")
    others = None
    expiring = _expiry_window(request.GET)
    if services.has_power(request.user, "tokens"):
        visible = services.expiring_tokens(request.user, *expiring) if expiring else \
            services.tokens_visible_to(request.user)
        others = visible.exclude(user=request.user).order_by("user__username", "-created_at")[:500]
        if expiring:  # the inbox's link: exactly the tokens it counted, the administrator's own included
            mine = mine.filter(pk__in=visible.values("pk"))
    return render(request, "accounts/tokens.html", {"form": form, "new_key": new_key, "tokens": mine,
                                                     "others": others, "expiring": expiring})


def _expiry_window(params) -> tuple[datetime.date, datetime.date] | None:
    """?expires_from=YYYY-MM-DD&expires_to=YYYY-MM-DD: the tokens expiring within those days (inclusive)."""
    try:
        first = datetime.date.fromisoformat(params.get("expires_from", ""))
        last = datetime.date.fromisoformat(params.get("expires_to", ""))
    except ValueError:
        return None
    return first, last


@login_required
@require_POST
def revoke_token(request, pk: int):
    token = get_object_or_404(services.tokens_visible_to(request.user), pk=pk)
    services.revoke_token(request.user, request, token)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect(safe_next(request, "accounts:tokens"))
