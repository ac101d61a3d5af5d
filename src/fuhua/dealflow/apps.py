from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealflowConfig(AppConfig):
    name = "fuhua.dealflow"
    label = "dealflow"
    verbose_name = _("Deal flow")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step

        from . import inbox, intents, prefill, workflow  # noqa: F401  (workflow registers the deal and need workflows)

        inbox.register()
        intents.connect()  # roadshow investment intents (events) become deals, by signal: no import of events
        prefill.register()  # the annual statistics' prefill source
        register_demo_step("dealflow", _("Investors, financing needs and deals"), order=69,
                           run="fuhua.dealflow.demo.load_dealflow")
        register_nav(NavItem("dealflow:deal_list", _("Deals"), "dealflow.deal", key="dealflow", group="incubation"))
        register_nav(NavItem("dealflow:financingneed_list", _("Financing needs"), "dealflow.financingneed",
                             key="dealflow_needs", group="incubation"))
