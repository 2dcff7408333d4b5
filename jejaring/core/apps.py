from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared skeleton: scoping, request context, the page shell and the API root."""

    name = "jejaring.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django import forms
        from django_filters import fields as filter_fields

        from .forms import FetchedFilterChoiceIterator, FetchedModelChoiceIterator

        # The documented hook for a field's options (ModelChoiceField.iterator), set once
        # for every form and filter form rather than on each of their fields.
        forms.ModelChoiceField.iterator = FetchedModelChoiceIterator
        filter_fields.ModelChoiceField.iterator = FetchedFilterChoiceIterator
        filter_fields.ModelMultipleChoiceField.iterator = FetchedFilterChoiceIterator
