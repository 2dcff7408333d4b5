from django import forms


class NativeDateInput(forms.DateInput):
    """The browser's own date picker. It only accepts ISO dates (yyyy-mm-dd), whatever
    the page's language: rendered in the Indonesian format (dd-mm-yyyy) the browser
    would drop the value and show an empty field."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
