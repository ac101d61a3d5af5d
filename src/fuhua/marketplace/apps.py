from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "fuhua.marketplace"
    label = "marketplace"
    verbose_name = _("Service marketplace")

    def ready(self):
        from . import workflow  # noqa: F401  (registers the provider and product workflows)
