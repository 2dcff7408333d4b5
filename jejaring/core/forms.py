from django import forms
from django.core.exceptions import ValidationError


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form, field by field where it can."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class NativeDateInput(forms.DateInput):
    """The browser's own date picker. It only accepts ISO dates (yyyy-mm-dd), whatever
    the page's language: rendered in the Indonesian format (dd-mm-yyyy) the browser
    would drop the value and show an empty field."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
