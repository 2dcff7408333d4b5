"""One filter definition per model serves the list page and the API (as NetBox does).

Filters are django-filter FilterSets. Pages show their errors in the form; the API
raises them as a ValidationError, which answers 422 with a message per field.
"""

from django.core.exceptions import ValidationError


def filtered(filterset_class, data, queryset, *, request=None):
    """Apply a FilterSet, raising ValidationError (field → messages) for bad values."""
    filterset = filterset_class(data=data, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(m) for m in messages] for field, messages in filterset.errors.items()}
        )
    return filterset.qs


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
