"""Choice widgets that write their options in Python instead of through templates.

Django renders every option of a Select or a group of checkboxes through two or three
templates (the option, the input, the attributes): 22 service types on the case page
cost ~3 ms per form. These widgets build the very same markup, character for character,
from the same context (``get_context``: ids, ``checked``/``selected``, attributes), so
labels, ids and accessibility stay what Django's templates give.
tests/test_case_widgets.py renders both ways through the configured renderer (our
template overrides included) and compares; an override of Django's widget templates
makes it fail, which is the cue to drop these widgets.
"""

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe


def _text(value) -> str:
    """What ``{{ value|stringformat:'s' }}`` prints in an autoescaped template."""
    return conditional_escape(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html prints."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{_text(value)}"'
        )
    return "".join(out)


class FastSelect(forms.Select):
    """django/forms/widgets/select.html and select_option.html, written out."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every piece above is escaped


class FastCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """django/forms/widgets/multiple_input.html, input_option.html and input.html, written out."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        own_id = widget["attrs"].get("id")
        css = widget["attrs"].get("class")
        parts = [
            "<div",
            f' id="{conditional_escape(own_id)}"' if own_id else "",
            f' class="{conditional_escape(css)}"' if css else "",
            ">",
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
            for option in options:
                parts.append("<div>\n    ")
                option_id = option["attrs"].get("id")
                if option["wrap_label"]:
                    parts.append(
                        f'<label for="{conditional_escape(option_id)}">' if option_id else "<label>"
                    )
                parts.append(
                    f'<input type="{conditional_escape(option["type"])}"'
                    f' name="{conditional_escape(option["name"])}"'
                )
                if option["value"] is not None:
                    parts.append(f' value="{_text(option["value"])}"')
                parts.append(f"{_attrs(option['attrs'])}>\n")
                if option["wrap_label"]:
                    parts.append(f" {conditional_escape(option['label'])}</label>")
                parts.append("\n\n</div>")
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))  # noqa: S308 — every piece above is escaped
