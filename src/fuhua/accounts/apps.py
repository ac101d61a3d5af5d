from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fuhua.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from fuhua.core import permissions

        from . import inbox, roles, signals, token_cache

        permissions.register(roles)  # the kernel asks accounts' role matrix through core.permissions
        signals.connect()
        token_cache.connect()
        inbox.register()  # the administrators' to-do items (core.inbox)
