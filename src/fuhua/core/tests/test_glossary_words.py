"""One word for each status and role (issue 10, deliverable 7): every workflow's status choices and the role
choices take their labels from core.glossary, so pages, API docs, exports and notifications say the same."""

import pytest
from django.utils.translation import override

from fuhua.accounts.roles import Role
from fuhua.core import glossary
from fuhua.evaluation.models import AppealStatus, RunStatus
from fuhua.incubation.models import IncubationStatus
from fuhua.policies.models.application import ApplicationStatus
from fuhua.policies.models.entitlement import EntitlementStatus
from fuhua.policies.models.policy import CallStatus
from fuhua.registry.choices import CarrierStatus
from fuhua.statistics.models import ReportStatus

CHOICES = [
    (CarrierStatus, "carrier_status"), (IncubationStatus, "incubation_status"), (ReportStatus, "report_status"),
    (RunStatus, "run_status"), (AppealStatus, "appeal_status"), (CallStatus, "call_status"),
    (ApplicationStatus, "application_status"), (EntitlementStatus, "entitlement_status"), (Role, "role"),
]


@pytest.mark.parametrize(("choices", "domain"), CHOICES, ids=[d for _c, d in CHOICES])
def test_choice_labels_are_the_glossary_words(choices, domain):
    words = glossary.choices(domain)
    assert [code for code, _label in words] == list(choices.values)  # same codes, same order
    for code, label in words:
        assert choices(code).label is label  # the glossary's own lazy msgid, not a copy
        chinese, english = glossary.word(code, "zh", domain), glossary.word(code, "en", domain)
        assert chinese != english and not any("a" <= ch.lower() <= "z" for ch in chinese.split("（")[0]), code
        with override("zh-hans"):
            assert str(choices(code).label) == chinese


def test_a_code_reads_by_its_workflow():
    assert glossary.word("closed", "zh", "run_status") == "申诉已截止"
    assert glossary.word("accepted", "zh", "application_status") == "形式审查通过"
    assert glossary.word("accepted", "zh", "report_status") == "已通过"
    assert glossary.word("incubating", "zh", "incubation_status") == "在孵"
    assert glossary.word("bureau", "zh", "role") == "科技局工作人员"
