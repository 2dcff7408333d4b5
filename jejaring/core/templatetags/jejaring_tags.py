from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ names|get_item:person_id }}: look a value up in a dict from the view."""
    return mapping.get(key, "") if mapping else ""
