"""The survey's results as an office, a province and the public read them: per office and
per kind of service, each computed only where it has enough answers (``survey.shown``),
and the yearly report's workbook."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext
from openpyxl import Workbook

from jejaring.core.exports import neutralise_workbook, workbook_bytes

from .models import SurveyElement, SurveyResponse
from .survey import SurveyResult, compute, shown


@dataclass
class OfficeSurvey:
    organisation: str
    respondents: int
    result: SurveyResult | None  # None below the minimum count
    services: list[tuple[str, SurveyResult]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


def _grouped(responses, year: int):
    by_office = defaultdict(list)
    for organisation, service, scores, suggestion in responses.filter(
        answered_on__year=year
    ).values_list("organisation__name", "service_type__name", "scores", "suggestion"):
        by_office[organisation].append((service, scores, suggestion))
    return by_office


def _offices(responses, year: int, *, with_suggestions: bool) -> list[OfficeSurvey]:
    elements = list(SurveyElement.objects.active())
    offices = []
    for organisation, rows in sorted(_grouped(responses, year).items()):
        overall = compute([scores for _service, scores, _said in rows], elements)
        office = OfficeSurvey(organisation, len(rows), overall if shown(overall) else None)
        by_service = defaultdict(list)
        for service, scores, _said in rows:
            if service:
                by_service[service].append(scores)
        for service, scores in sorted(by_service.items()):
            result = compute(scores, elements)
            if shown(result):
                office.services.append((service, result))
        if with_suggestions and office.result is not None:
            # Sorted, without dates: the order they came in could point at a person.
            office.suggestions = sorted({said for _service, _scores, said in rows if said})
        offices.append(office)
    return offices


def results_for(user, year: int) -> list[OfficeSurvey]:
    return _offices(SurveyResponse.objects.restrict(user), year, with_suggestions=True)


def open_results(year: int) -> list[OfficeSurvey]:
    """What the open page publishes: offices with enough answers, no suggestions."""
    return [
        o for o in _offices(SurveyResponse.objects.all(), year, with_suggestions=False) if o.result
    ]


def yearly_workbook(user, year: int) -> bytes:
    """The yearly report's figures in the layout of a laporan hasil SKM (BAB III): per
    office, the respondents, each element's NRR and weighted NRR, the IKM and its grade;
    then per kind of service."""
    book = Workbook()
    sheet = book.active
    sheet.title = "IKM"
    sheet.append([gettext("Satisfaction survey (SKM) %(year)s") % {"year": year}])
    sheet.append(
        [
            gettext("PermenPANRB 14/2017; weight per element: %(rule)s; shown from %(n)s answers.")
            % {"rule": getattr(settings, "SKM_WEIGHT", "exact"), "n": settings.SKM_MIN_RESPONSES}
        ]
    )
    services = book.create_sheet(gettext("Per service"))
    services.append(
        [gettext("Office"), gettext("Service"), gettext("Respondents"), "IKM", gettext("Grade")]
    )
    for office in results_for(user, year):
        sheet.append([])
        sheet.append([office.organisation, gettext("Respondents"), office.respondents])
        if office.result is None:
            sheet.append(
                [
                    gettext("Too few answers to show (fewer than %(n)s).")
                    % {"n": settings.SKM_MIN_RESPONSES}
                ]
            )
            continue
        sheet.append(
            [
                gettext("Element"),
                gettext("Answered"),
                "NRR",
                gettext("Weighted NRR"),
                gettext("Grade"),
            ]
        )
        for element in office.result.elements:
            sheet.append(
                [
                    element.name,
                    element.answered,
                    float(round(element.nrr, 4)),
                    float(round(element.weighted, 4)),
                    element.grade,
                ]
            )
        sheet.append(
            [
                "IKM",
                "",
                float(round(office.result.index, 4)),
                float(office.result.ikm),
                f"{office.result.grade} ({office.result.label})",
            ]
        )
        for service, result in office.services:
            services.append(
                [office.organisation, service, result.respondents, float(result.ikm), result.grade]
            )
    neutralise_workbook(book)
    return workbook_bytes(book)
