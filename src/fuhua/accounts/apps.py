from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fuhua.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import signals, token_cache

        signals.connect()
        token_cache.connect()
