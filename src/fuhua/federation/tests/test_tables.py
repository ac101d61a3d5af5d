"""The shared tables declare every column that is a workflow's state: the import writes it outside the workflow
(the transition happened at the source; the copy is read-only here, test_import), an exception made explicit."""

import importlib
import importlib.util

from django.apps import apps

from fuhua.core.workflow import workflow_for
from fuhua.federation.tables import TABLES


def test_every_shared_column_that_is_a_workflow_state_is_declared():
    for config in apps.get_app_configs():  # a workflow registers its model when its module is imported
        if config.name.startswith("fuhua.") and importlib.util.find_spec(f"{config.name}.workflow"):
            importlib.import_module(f"{config.name}.workflow")
    found = {}
    for table in TABLES:
        workflow = workflow_for(table.model)
        found[table.key] = tuple(c for c in table.columns if workflow and c == workflow.state_field)
    assert found == {t.key: t.states for t in TABLES}
    assert found["carriers"] == ("status",)
