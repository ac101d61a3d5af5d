"""An incubation's rule checks read like a clerk's note (issue 10, deliverable 3): the national pack's
sentence with the figures and the article, in Chinese without codes or English words, and in English."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from fuhua import testing
from fuhua.incubation.models import Incubation, IncubationStatus

pytestmark = pytest.mark.django_db
D = datetime.date


def _notes(html: str) -> list[str]:
    return re.findall(r"data-explanation>([^<]*)<", html)


def test_the_admission_check_reads_as_a_note_with_its_figures(world):
    firm = testing.firm("苏州二三科技有限公司", world.regions.sip, founded=D(2021, 2, 14))
    record = Incubation.objects.create(firm=firm, carrier=world.carrier_a, applied_on=D(2023, 1, 10),
                                       entered_on=D(2023, 1, 20), status=IncubationStatus.INCUBATING)
    client = Client()
    client.force_login(world.users.bureau_sz)
    page = reverse("incubation:incubation_detail", kwargs={"pk": record.pk})
    notes = _notes(client.get(page, headers={"accept-language": "zh-hans"}).content.decode())
    assert ("成立于 2021-02-14，2023-01-20 入孵，入孵时已成立 23 个月，未超过 24 个月的上限"
            "（国科发区〔2018〕300号 第九条第9项（2））") in notes
    assert all(not re.search(r"[A-Za-z_]{2,}", note) for note in notes), notes
    client.cookies["django_language"] = "en"
    english = _notes(client.get(page, headers={"accept-language": "en"}).content.decode())
    assert any(n.startswith("founded 2021-02-14, entered 2023-01-20, 23 months after founding: within the limit")
               for n in english), english


def test_a_late_entry_says_it_was_too_late_and_by_when(world):
    firm = testing.firm("苏州迟到科技有限公司", world.regions.sip, founded=D(2019, 1, 15))
    record = Incubation.objects.create(firm=firm, carrier=world.carrier_a, applied_on=D(2021, 1, 10),
                                       entered_on=D(2021, 7, 16), status=IncubationStatus.INCUBATING)
    client = Client()
    client.force_login(world.users.bureau_sz)
    html = client.get(reverse("incubation:incubation_detail", kwargs={"pk": record.pk}),
                      headers={"accept-language": "zh-hans"}).content.decode()
    assert ("成立于 2019-01-15，2021-07-16 入孵，入孵时成立已超过 24 个月的上限（最迟应于 2021-01-15 入孵；"
            "国科发区〔2018〕300号 第九条第9项（2））") in _notes(html)
