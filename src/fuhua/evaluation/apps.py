from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "fuhua.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from fuhua.core.audit import NOT_AUDITED
        from fuhua.core.context_processors import NavItem, register_nav

        from .inbox import register as register_inbox

        register_inbox()
        from fuhua.core.demo import register_demo_step

        register_demo_step("evaluation", _("Evaluation"), order=50, run="fuhua.evaluation.demo.load_evaluation")
        from . import rule_sources

        rule_sources.register()  # published grades for the rules adapter
        from . import panels, workflow  # noqa: F401  (workflow: registers the run and appeal workflows)

        panels.register()  # published grades on the registry's carrier page

        register_nav(NavItem("evaluation:evaluationrun_list", _("Evaluations"), "evaluation.evaluationrun",
                             key="evaluations"))
        register_nav(NavItem("evaluation:evaluationresult_list", _("Evaluation results"),
                             "evaluation.evaluationresult", key="evaluation_results"))
        # Hundreds of thousands of derived rows per run, reproducible from the run's checksummed snapshot;
        # the run's computation and every later change to a result are audited instead.
        NOT_AUDITED["evaluation.indicatorscore"] = "derived from the run's snapshot (see evaluation.inputs)"
