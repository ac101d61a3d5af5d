from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "fuhua.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from . import rule_sources

        rule_sources.register()  # carriers and firms for the rules adapter
        from fuhua.core.extensions import RegionHooks, register_region

        from .fields import RegionField
        from .models.region import under_prefix
        from .views.regions import chosen_region_prefix, picker_context

        register_region(RegionHooks(  # core's forms and list filters offer regions without importing them
            field=RegionField, picker_levels=lambda values: picker_context(values)["region_levels"],
            chosen_prefix=chosen_region_prefix, under_prefix=under_prefix))
        from .inbox import register as register_inbox

        register_inbox()
        from fuhua.core.demo import register_demo_step

        register_demo_step("registry", _("Registry"), order=10, run="fuhua.registry.demo.loader.load_registry")
        register_demo_step("experts", _("Expert pool"), order=31, run="fuhua.registry.demo.experts.load_experts")
        register_demo_step("founders", _("Founders and key people"), order=25,
                           run="fuhua.registry.demo.founders.load_founders")
        from fuhua.core.context_processors import NavItem, register_nav

        register_nav(NavItem("registry:expertprofile_list", _("Expert pool"), "registry.expertprofile", key="experts"),
                     before="search")
