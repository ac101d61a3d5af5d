import pytest

from fuhua.evaluation import services
from fuhua.evaluation.models import EvaluationResult, IndicatorScore, RunStatus
from fuhua.evaluation.testing import evaluation_world


@pytest.mark.django_db
def test_world_evaluation_is_published_and_reproducible(world):
    ev = evaluation_world(world)
    assert ev.run_sz.status == RunStatus.PUBLISHED
    a = EvaluationResult.objects.get(pk=ev.result_a.pk)
    assert a.grade in "ABCD" and a.total_milli is not None and not a.incomplete, (a.missing, a.completeness)
    assert IndicatorScore.objects.filter(result=a).count() == 18  # 14 quantitative + 2 qualitative + 2 bonus
    assert services.reproduce(ev.run_sz) == []
    assert services.published_grades(2024, [world.carrier_a.pk]) == {world.carrier_a.pk: a.grade}
