from django.utils.translation import gettext_lazy as _

from fuhua.core.views import generic as g
from fuhua.registry.models import Recognition

from ..forms import RecognitionFilter, RecognitionForm


class RecognitionList(g.ObjectListView):
    model = Recognition
    filter_form = RecognitionFilter
    search_paths = ("carrier__search", "document_number")
    default_sort = "-granted_on"
    select_related = ("carrier", "carrier__region")
    columns = [
        g.Column("document_number", sort="document_number", link=True),
        g.Column("carrier", sort="carrier__name"),
        g.Column("carrier__region", _("region"), sort="carrier__region"),
        g.Column("level", sort="level"),
        g.Column("kind", sort="kind"),
        g.Column("carrier_kind", sort="carrier_kind"),
        g.Column("granted_on", sort="granted_on"),
        g.Column("valid_until", sort="valid_until"),
        g.Column("revoked_on", sort="revoked_on"),
    ]


class RecognitionDetail(g.ObjectDetailView):
    model = Recognition


class RecognitionCreate(g.ObjectCreateView):
    model = Recognition
    form_class = RecognitionForm


class RecognitionEdit(g.ObjectEditView):
    model = Recognition
    form_class = RecognitionForm


class RecognitionDelete(g.ObjectDeleteView):
    model = Recognition


class RecognitionHistory(g.ObjectHistoryView):
    model = Recognition
