"""The base model (core.models.FuhuaModel)."""

import pytest
from django.core.exceptions import ValidationError

from fuhua.registry.models import Recognition

pytestmark = pytest.mark.django_db


def test_a_loaded_foreign_key_is_not_fetched_again_but_a_bare_id_is_checked(world, django_assert_num_queries):
    recognition = Recognition.objects.select_related("carrier").get(pk=world.rec_a.pk)
    with django_assert_num_queries(0):  # the carrier was loaded with it: Django would look it up again
        recognition.clean_fields()

    recognition.carrier_id = 10**9  # a bare id (the loaded carrier is dropped): looked up, and refused
    with pytest.raises(ValidationError) as refused, django_assert_num_queries(1):
        recognition.clean_fields()
    assert list(refused.value.message_dict) == ["carrier"]


def test_an_unsaved_object_is_still_refused(world):
    recognition = Recognition.objects.get(pk=world.rec_a.pk)
    recognition.carrier = type(world.carrier_a)(name="未保存")  # not in the database: no id to check
    with pytest.raises(ValidationError) as refused:
        recognition.clean_fields()
    assert "carrier" in refused.value.message_dict


def test_every_label_related_names_relations():
    # core.forms joins a model's `label_related` into its selects: a name that is not a relation would break
    # every form that offers the model, and only when the form is shown.
    from django.apps import apps

    declared = [(model, path) for model in apps.get_models() for path in getattr(model, "label_related", ())]
    assert len(declared) >= 10
    for model, path in declared:
        list(model.objects.select_related(path)[:1])  # a name that is not a relation raises FieldError
