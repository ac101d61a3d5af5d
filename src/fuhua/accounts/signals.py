"""Connects sign-in, sign-out, failures, lockouts, password changes and exports to the security events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from fuhua.core.exports import export_made

from .models import AccountProfile, SecurityEvent
from .security import record_security_event


def _logged_in(sender, request, user, **kwargs):
    if request is not None:
        record_security_event(request, SecurityEvent.Kind.LOGIN)


def _logged_out(sender, request, user, **kwargs):
    if request is not None and user is not None:
        record_security_event(request, SecurityEvent.Kind.LOGOUT, username=user.get_username())


def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "") or ""
    record_security_event(request, SecurityEvent.Kind.LOGIN_FAILED, username=username)


def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record_security_event(request, SecurityEvent.Kind.LOCKED_OUT, username=username or "", target=username or "")


def _export_made(sender, request=None, user=None, detail=None, **kwargs):
    """core.exports.export_made: one security event per export, with the client address."""
    if request is not None and user is None:
        user = getattr(request, "auth_user", None)  # the API's bearer-token user (request.user is anonymous)
    if user is not None and not isinstance(user, get_user_model()):  # a command run as the system (core.system)
        record_security_event(request, SecurityEvent.Kind.EXPORT, detail, username=str(user))
        return
    record_security_event(request if user is None else _AsUser(request, user), SecurityEvent.Kind.EXPORT, detail)


class _AsUser:
    """The request as record_security_event reads it, with the acting user set (API calls, commands)."""

    def __init__(self, request, user):
        self.user, self.META = user, getattr(request, "META", {})
        self.client_ip = getattr(request, "client_ip", None)
        self.request_id = getattr(request, "request_id", "")


def _password_before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._fuhua_password_changed = old is not None and old != instance.password


def _password_after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        # Every new account starts with a password someone else chose (an administrator, the demo, a
        # command): in production it must be changed at the first sign-in.
        AccountProfile.objects.get_or_create(
            user=instance, defaults={"password_changed_at": timezone.now(), "must_change_password": True})
    elif instance.__dict__.pop("_fuhua_password_changed", False):
        profile = AccountProfile.of(instance)
        profile.password_changed_at = timezone.now()
        # Set by the user's own change (accounts.views) or by an administrator's reset.
        profile.must_change_password = getattr(instance, "_fuhua_password_is_initial", True)
        profile.save(update_fields=["password_changed_at", "must_change_password"])
        record_security_event(None, SecurityEvent.Kind.PASSWORD_CHANGED if not profile.must_change_password
                              else SecurityEvent.Kind.PASSWORD_RESET, target=instance.get_username())


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(_logged_in, dispatch_uid="fuhua_security_login")
    user_logged_out.connect(_logged_out, dispatch_uid="fuhua_security_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="fuhua_security_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="fuhua_security_locked_out")
    export_made.connect(_export_made, dispatch_uid="fuhua_security_export")
    pre_save.connect(_password_before_save, sender=user_model, dispatch_uid="fuhua_password_before")
    post_save.connect(_password_after_save, sender=user_model, dispatch_uid="fuhua_password_after")
