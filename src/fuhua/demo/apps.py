from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "fuhua.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self):
        from fuhua.core.demo import register_demo_step

        # After the registry and the tenants (the accounts' scopes), before the steps that give them work.
        register_demo_step("accounts", _("Demo accounts"), order=30, run="fuhua.demo.accounts.accounts_step")
