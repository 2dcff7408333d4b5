"""What every page shares: run an action and say how it went, and list with filter,
page and query string. Views stay thin (in the spirit of NetBox's generic views):
they fetch through the scope, build a form, and hand the action to :func:`perform`.

An action refuses with a ``ValidationError``; a page never lets it become a 500. A
refusal about the form's own fields goes on the form (the page renders again with the
person's input kept); any other refusal is a message on the next page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .filtering import is_htmx

PAGE_SIZE = 25


def refusal_text(exc: ValidationError) -> str:
    """An action's refusal as one sentence or several, for a message or a notice."""
    return " ".join(exc.messages)


def show_refusal(request, exc: ValidationError) -> None:
    """An action refused: show its reasons, in the user's language, as a message."""
    messages.error(request, refusal_text(exc))


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form, field by field where it can."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _about_fields(form, exc: ValidationError) -> bool:
    return hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields)


@dataclass
class Outcome:
    """How :func:`perform` went. True when the action ran; ``result`` is what it
    returned; ``on_form`` says the refusal went on the form (render it again)."""

    done: bool
    result: Any = None
    on_form: bool = False

    def __bool__(self) -> bool:
        return self.done


def perform(
    request,
    run: Callable[[], Any],
    *,
    success: str | Callable[[Any], str] | None = None,
    form=None,
    errors_on_form: bool = True,
) -> Outcome:
    """Run one action (``run`` calls it with ``acting_user``) and report the outcome.

    - Done: ``success`` (a text, or a function of the result) becomes a message.
    - Refused, with a ``form``: the reasons go on the form. With
      ``errors_on_form=False`` (a small form posted from a detail page, which the
      redirect will not show again) only a refusal about the form's own fields goes
      there; any other is a message.
    - Refused, without a form: a message.
    """
    try:
        result = run()
    except ValidationError as exc:
        if form is not None and (errors_on_form or _about_fields(form, exc)):
            apply_validation_error(form, exc)
            return Outcome(False, on_form=True)
        show_refusal(request, exc)
        return Outcome(False)
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return Outcome(True, result)


def form_page(
    request,
    form,
    template: str,
    run: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str] | None,
    then: Callable[[Any], Any],
    context: dict | None = None,
):
    """The create/edit page: a valid POST runs the action on the cleaned data and
    redirects to ``then(result)`` (a URL, a model with get_absolute_url, or a
    response); otherwise — a GET, bad input or a refusal — the page renders with the
    form, keeping what the person typed."""
    if request.method == "POST" and form.is_valid():
        outcome = perform(request, lambda: run(form.cleaned_data), success=success, form=form)
        if outcome:
            target = then(outcome.result)
            return target if hasattr(target, "status_code") else redirect(target)
    return render(request, template, {"form": form, **(context or {})})


def paged(request, queryset, *, per_page: int = PAGE_SIZE, page_param: str = "page") -> dict:
    """One page of a list and the query string that keeps its filters on the
    page links (``?{{ query_string }}&page=2``)."""
    page_obj = Paginator(queryset, per_page).get_page(request.GET.get(page_param))
    query = request.GET.copy()
    query.pop(page_param, None)
    return {"page_obj": page_obj, "query_string": query.urlencode()}


def listing(
    request,
    queryset,
    filterset_class=None,
    *,
    per_page: int = PAGE_SIZE,
    page_param: str = "page",
    defaults: dict | None = None,
    **filterset_kwargs,
) -> dict:
    """The context of a list page: the FilterSet (the same one the API uses) bound to
    the query string, and one page of what it lets through. A bad filter value shows
    its error on the filter form and filters nothing by it. ``defaults``: the filters of
    a first visit (the query string names none of the FilterSet's fields), such as a
    desk's "open only"; the API has none, it lists what it is asked for."""
    context: dict = {}
    if filterset_class is not None:
        data = request.GET
        if defaults and not any(name in data for name in filterset_class.base_filters):
            data = data.copy()
            for name, value in defaults.items():
                data[name] = value
        filterset = filterset_class(
            data or None, queryset=queryset, request=request, **filterset_kwargs
        )
        context["filterset"] = filterset
        queryset = filterset.qs if filterset.is_bound else queryset
    context.update(paged(request, queryset, per_page=per_page, page_param=page_param))
    return context


def list_template(request, full: str, results: str) -> str:
    """htmx asks for the results fragment only (a filter change); others get the page."""
    return results if is_htmx(request) else full


def chosen(context: dict, name: str):
    """The value a list's filter applied for ``name`` ("" when none, or when the value
    sent was bad), to mark the chosen tab or option on the page."""
    filterset = context.get("filterset")
    if filterset is None or not filterset.is_bound or not filterset.form.is_valid():
        return ""
    return filterset.form.cleaned_data.get(name) or ""


# The posts a detail page's buttons and small forms make, declared once (in the spirit
# of NetBox's generic views): each view says how it fetches its object through the
# scope, which action it runs and where the person goes back to.


def button(fetch, run, *, success, then):
    """A button on a detail page (cancel, announce, withdraw…): ``fetch(request,
    **url_kwargs)`` gets the object through the scope, ``run(request, obj)`` calls the
    action, and the person goes back to ``then(obj)`` (a URL) with a message."""

    @login_required
    @require_POST
    def view(request, **url_kwargs):
        obj = fetch(request, **url_kwargs)
        perform(request, lambda: run(request, obj), success=success)
        return redirect(then(obj))

    return view


def small_form(fetch, form_class, run, *, success, then, page=None, form_name="", form_kwargs=None):
    """A small form posted from a section of a detail page (a position, the minutes…);
    ``run(request, obj, cleaned_data)`` calls the action.

    Done, or refused for a reason the form cannot show (it may not even be on the page
    any more): back to ``then(obj)`` with a message. Bad input, or a refusal about the
    form's own fields: ``page(request, obj, **{form_name: form})`` renders the page again
    with the errors on the form — or, for a page that shows its forms empty
    (``page=None``), the errors become a message too.
    """

    @login_required
    @require_POST
    def view(request, **url_kwargs):
        obj = fetch(request, **url_kwargs)
        extra = form_kwargs(request, obj) if form_kwargs else {}
        form = form_class(request.POST, request.FILES, **extra)
        if form.is_valid():
            outcome = perform(
                request,
                lambda: run(request, obj, form.cleaned_data),
                success=success,
                form=form if page else None,
                errors_on_form=False,
            )
            if not outcome.on_form:
                return redirect(then(obj))
        elif page is None:
            form_errors(request, form)
            return redirect(then(obj))
        return page(request, obj, **{form_name: form})

    return view


def form_errors(request, form) -> None:
    """A form posted from a page section came back invalid: say what, as a message."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        field = form.fields.get(name)
        parts.append(f"{field.label}: {text}" if field is not None else text)
    messages.error(request, " ".join(parts))


def posted(request, form, invalid: str, run, *, success):
    """A small form posted from a detail page, which the redirect will not show again:
    valid, ``run`` gets its cleaned data and a refusal becomes a message; invalid,
    ``invalid`` says what is missing. The outcome is falsy unless the action ran."""
    if not form.is_valid():
        messages.error(request, invalid)
        return None
    return perform(request, lambda: run(form.cleaned_data), success=success)


# Forms folded on a detail page (the case, the person, the forum), fetched when their fold
# is first opened. Most visits open none, yet each form costs queries (choice lists,
# suggestions) and markup a phone on a weak signal downloads. The page includes
# "_fold.html" with the fold and its URL: a <details> whose body htmx fetches on its first
# toggle; without script its link opens the same form as a page of its own. A form refused
# by its action can still come back inside the page, filled in and open.


@dataclass(frozen=True)
class Fold:
    title: str  # the fold's summary, and the heading of its page of its own
    template: str  # the form alone, which the fold's body receives


def folded_form(request, fold: Fold, context: dict, *, back_url: str, back_label: str):
    """One fold's form: the fragment for the fold that opened (htmx), or a page of its own
    leading back to ``back_url`` (the link, without script). ``context`` is what the
    form's template needs, fetched through the scope by the caller."""
    context = {**context, "fold": fold}
    if is_htmx(request):
        return render(request, fold.template, context)
    page = {**context, "back_url": back_url, "back_label": back_label}
    return render(request, "_fold_page.html", page)
