"""The directory's filter selects write their options in Python (FastSelect): the markup
must be what Django's own Select templates give, selected values included."""

import pytest
from django import forms

from jejaring.network.filters import OrganisationFilter
from jejaring.network.models import Organisation


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"sector": "government", "level": "kabupaten_kota", "status": "active"},
        {"type": "lksa", "category": "anak-terlantar", "status": "pending"},
    ],
)
def test_filter_selects_render_as_djangos_select(data):
    form = OrganisationFilter(data or None, queryset=Organisation.objects.all()).form
    selects = [name for name, f in form.fields.items() if isinstance(f.widget, forms.Select)]
    assert set(selects) == {"type", "sector", "level", "status", "category"}
    for name in selects:
        bound = form[name]
        fast = str(bound)
        widget = bound.field.widget
        bound.field.widget = forms.Select(attrs=widget.attrs, choices=widget.choices)
        assert fast == str(bound)  # the same field through Django's templates
        bound.field.widget = widget
        assert fast.count("<option") == len(list(bound.field.choices))
    if data.get("status"):
        assert f'<option value="{data["status"]}" selected>' in str(form["status"])
