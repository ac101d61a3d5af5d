from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "fuhua.marketplace"
    label = "marketplace"
    verbose_name = _("Service marketplace")

    def ready(self):
        import datetime

        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step
        from fuhua.core.schedule import register_periodic

        from . import inbox, panels, workflow  # noqa: F401  (workflow registers the provider and product workflows)
        from .tasks import flag_expired

        inbox.register()
        panels.register()  # the listing on the registry's organisation page
        register_periodic("marketplace.flag_expired", task=flag_expired, at=datetime.time(6, 30))
        register_demo_step("marketplace", _("Service marketplace"), order=65,
                           run="fuhua.marketplace.demo.load_marketplace")
        register_nav(NavItem("marketplace:catalogue", _("Service marketplace"), "marketplace.product",
                             key="marketplace", group="incubation"))
        register_nav(NavItem("marketplace:provider_list", _("Service providers"), "marketplace.provider",
                             key="marketplace_providers", group="incubation"))
        register_nav(NavItem("marketplace:product_list", _("Service products"), "marketplace.product",
                             key="marketplace_products", group="incubation"))
