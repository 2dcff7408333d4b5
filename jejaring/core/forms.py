from django import forms
from django_filters import fields as filter_fields


class NativeDateInput(forms.DateInput):
    """The browser's own date picker. It only accepts ISO dates (yyyy-mm-dd), whatever
    the page's language: rendered in the Indonesian format (dd-mm-yyyy) the browser
    would drop the value and show an empty field."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FetchedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A model field's options read in one query.

    Django's iterator reads them through ``QuerySet.iterator()``, which on PostgreSQL is
    a server-side cursor: DECLARE, FETCH and CLOSE, three round trips (and a cursor WITH
    HOLD, copied out at commit) for a list of a few dozen categories or organisations.
    Choice lists are short by nature: read them as a normal query, once, and keep them
    on the field's queryset (each form instance has its own copy). Made the iterator of
    every ModelChoiceField and ModelMultipleChoiceField in ``CoreConfig.ready``."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class FetchedFilterChoiceIterator(filter_fields.ModelChoiceIterator, FetchedModelChoiceIterator):
    """django-filter's iterator (it adds the "none" option) over the one-query read."""
