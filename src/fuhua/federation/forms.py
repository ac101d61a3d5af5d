from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Peer
from .tables import DEFAULT_TABLES, table_choices


class PeerForm(forms.Form):
    relation = forms.ChoiceField(label=_("relation"), choices=Peer.Relation.choices)
    code = forms.CharField(label=_("instance code"), max_length=16)
    name = forms.CharField(label=_("name"), max_length=100)
    region = forms.CharField(label=_("region code"), max_length=6, required=False,
                             help_text=_("Empty for the nation."))
    url = forms.URLField(label=_("address"), required=False, assume_scheme="https")
    public_key = forms.CharField(label=_("public key"), max_length=64)
    tables = forms.MultipleChoiceField(label=_("shared tables"), choices=table_choices, initial=DEFAULT_TABLES,
                                       required=False, widget=forms.CheckboxSelectMultiple)


class TablesForm(forms.Form):
    tables = forms.MultipleChoiceField(label=_("shared tables"), choices=table_choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
