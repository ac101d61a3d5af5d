"""Runs in the database: workflow, reproducibility, expert review, appeals, scoping, consequences."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from fuhua.accounts.models import RoleGrant
from fuhua.core.exceptions import Conflict
from fuhua.core.scoping import check
from fuhua.evaluation import review, services
from fuhua.evaluation.consequences import revocation_proposals
from fuhua.evaluation.models import AppealStatus, EvaluationResult, EvaluationRun, IndicatorScore, RunStatus
from fuhua.evaluation.testing import accepted_reports, computed_run, evaluation_world
from fuhua.registry.models import Recognition
from fuhua.testing import carrier, make_user


@pytest.mark.django_db
def test_a_carrier_without_statistics_is_marked_incomplete_not_graded(world):
    accepted_reports(world)
    silent = carrier("无报表孵化器", world.op_a, world.regions.sip)
    Recognition.objects.create(carrier=silent, level="provincial", kind="recognition", carrier_kind="incubator",
                               authority="江苏省科学技术厅", document_number="苏科高发〔2022〕1号",
                               granted_on=datetime.date(2022, 1, 1))
    run = computed_run(world.users.bureau_js, "js-incubator-2024", world.regions.js)
    result = EvaluationResult.objects.get(run=run, carrier=silent)
    assert result.incomplete and result.grade == "" and result.total_milli is None and result.completeness == 0
    assert "tenants" in result.missing
    assert EvaluationResult.objects.get(run=run, carrier=world.carrier_a).grade in "ABCD"


@pytest.mark.django_db
@translation.override("en")  # the refusals are asserted in their English source text
def test_expert_scores_out_of_range_and_conflicts_are_refused(world):
    ev = evaluation_world(world)
    run = computed_run(world.users.admin, "js-incubator-2024", world.regions.sz, 2025 - 1)
    result = EvaluationResult.objects.get(run=run, carrier=world.carrier_a)
    assignment = review.assign_expert(world.users.bureau_sz, result, world.users.expert)
    with pytest.raises(ValidationError, match="between 0 and 100"):
        review.score_indicator(world.users.expert, assignment, "service_system", 101)
    with pytest.raises(ValidationError, match="Unknown qualitative indicator"):
        review.score_indicator(world.users.expert, assignment, "tenant_density", 50)
    insider = make_user("insider", "expert", organisation=world.op_a)
    with pytest.raises(ValidationError, match="Conflict of interest"):
        review.assign_expert(world.users.bureau_sz, result, insider)
    with pytest.raises(ValidationError, match="not an expert"):
        review.assign_expert(world.users.bureau_sz, result, world.users.operator_a)
    with pytest.raises(Conflict):  # the world's run is published: no more assignments
        review.assign_expert(world.users.admin, ev.result_a, insider)


@pytest.mark.django_db
@translation.override("en")  # the refusals are asserted in their English source text
def test_appeals_only_in_the_window_and_decisions_record_their_changes(world):
    ev = evaluation_world(world)
    run = EvaluationRun.objects.get(pk=ev.run_sz.pk)
    result = EvaluationResult.objects.get(pk=ev.result_a.pk)
    before = result.total_milli
    with pytest.raises(ValidationError, match="not an input"):
        review.decide_appeal(world.users.bureau_sz, ev.appeal_a, True, "核实", {"bogus": 1})
    appeal = review.decide_appeal(world.users.bureau_sz, ev.appeal_a, True, "经核实在孵企业数为20家",
                                  {"tenants": 20, "tenants_with_ip": 18})
    assert appeal.status == AppealStatus.UPHELD and appeal.decided_by == world.users.bureau_sz
    result.refresh_from_db()
    assert result.total_milli != before
    assert {"carrier": world.carrier_a.pk, "field": "total_milli", "before": before,
            "after": result.total_milli} in appeal.changes
    assert services.reproduce(run) == []  # snapshot + upheld corrections + expert scores → the same numbers
    with pytest.raises(Conflict, match="already decided"):
        review.decide_appeal(world.users.bureau_sz, appeal, False, "再议")
    run.appeal_deadline = timezone.localdate() - datetime.timedelta(days=1)
    run.save()
    with pytest.raises(Conflict, match="appeal window closed"):
        review.file_appeal(world.users.operator_a, result, "再次申诉")
    assert services.transition(world.users.bureau_sz, run, "close").status == RunStatus.CLOSED
    nanjing = EvaluationRun.objects.get(pk=ev.run_nj.pk)
    with pytest.raises(ValidationError, match="pending"):
        services.transition(world.users.bureau_js, nanjing, "close")
    review.decide_appeal(world.users.bureau_js, ev.appeal_b, False, "数据无误")
    assert services.transition(world.users.bureau_js, nanjing, "close").status == RunStatus.CLOSED


@pytest.mark.django_db
def test_who_sees_what(world):
    ev = evaluation_world(world)
    draft = computed_run(world.users.admin, "js-incubator-2024", world.regions.sz, 2025)
    unpublished = EvaluationResult.objects.get(run=draft, carrier=world.carrier_a)
    u = world.users
    assert check(u.operator_a, "view", ev.result_a) and not check(u.operator_a, "view", ev.result_b)
    assert not check(u.operator_a, "view", unpublished)  # carriers see results once published
    assert check(u.bureau_sz, "view", unpublished) and not check(u.bureau_nj, "view", unpublished)
    assert check(u.expert, "view", ev.result_a) and check(u.expert, "view", world.carrier_a)
    assert not check(u.expert, "view", unpublished)  # not assigned there
    assert IndicatorScore.objects.restrict(u.operator_b).filter(result=ev.result_a).count() == 0
    other = make_user("expert2", "expert")
    assert not check(other, "view", ev.result_a) and not check(other, "view", world.carrier_a)
    assert not RoleGrant.objects.get(user=other).organisation_id


@pytest.mark.django_db
def test_two_failing_grades_propose_revocation_and_policies_read_published_grades(world):
    ev = evaluation_world(world)
    assert services.published_grades(2024, [world.carrier_a.pk, world.carrier_b.pk]) == {
        world.carrier_a.pk: ev.result_a.grade, world.carrier_b.pk: EvaluationResult.objects.get(
            pk=ev.result_b.pk).grade}
    EvaluationResult.objects.filter(pk=ev.result_a.pk).update(grade="D")
    run_2025 = computed_run(world.users.admin, "js-incubator-2024", world.regions.sz, 2025)
    assert revocation_proposals(run_2025) == []
    EvaluationResult.objects.filter(run=run_2025, carrier=world.carrier_a).update(grade="D")
    proposals = revocation_proposals(run_2025)
    assert [p["carrier_id"] for p in proposals] == [world.carrier_a.pk]
    assert proposals[0]["grades"] == ["D", "D"] and "第十四条" in proposals[0]["citation"]
