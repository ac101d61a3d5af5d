"""Sends a signed-in user whose password expired, or (in production) is still the initial one, to change it."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .models import AccountProfile

# Paths a user must reach before the password is changed: the change itself, signing out, assets.
_EXEMPT_NAMES = ("accounts:password_change", "accounts:password_change_done", "logout", "set_language")


class PasswordPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def _exempt_paths(self) -> tuple[str, ...]:
        if self._exempt is None:
            self._exempt = tuple(reverse(name) for name in _EXEMPT_NAMES)
        return self._exempt

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(("/api/", "/static/"))
                and request.path not in self._exempt_paths() and self._must_change(user)):
            return redirect(f"{reverse('accounts:password_change')}?reason=required")
        return self.get_response(request)

    @staticmethod
    def _must_change(user) -> bool:
        from .views import password_expired

        profile = AccountProfile.of(user)
        if settings.FORCE_INITIAL_PASSWORD_CHANGE and profile.must_change_password:
            return True
        return password_expired(user, profile)
