from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "fuhua.policies"
    label = "policies"
    verbose_name = _("Policies and payouts")

    def ready(self):
        from fuhua.core.context_processors import NavItem, register_nav

        from .inbox import register as register_inbox

        register_inbox()
        from fuhua.core import glossary

        from . import packs

        glossary.register_fallback("entitlement_item", packs.item_labels)  # keys of any pack read as words
        from . import application_workflow, panels  # noqa: F401  (registers the application workflow)

        panels.register()  # entitlements on the registry's carrier page
        from . import triggers

        triggers.register()  # policy push when a firm's designations, figures or investments change
        from fuhua.core.demo import register_demo_step

        register_demo_step("policies", _("Policies and payouts"), order=60, run="fuhua.policies.demo.load_policies")
        register_demo_step("firm_policies", _("Firm policies: publication, payment and feedback"), order=61,
                           run="fuhua.policies.demo.load_firm_policies")

        register_nav(NavItem("policies:policy_list", _("Policies"), "policies.policy", key="policies"))
        register_nav(NavItem("policies:entitlement_list", _("Entitlements"), "policies.entitlement",
                             key="entitlements"))
        register_nav(NavItem("policies:application_list", _("Applications"), "policies.application",
                             key="applications"))
        register_nav(NavItem("policies:my_fit", _("Policies for my firm"), "policies.subscription", key="my_fit"))
