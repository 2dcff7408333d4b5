"""The public side's models, one module per part: citizens' reports of people in need
(``reports``) and complaints (``complaints``)."""

from .complaints import (
    OFFICE_STAGES,
    OPEN_COMPLAINT_STAGES,
    Complaint,
    ComplaintCategory,
    ComplaintDeadline,
    ComplaintEvent,
    ComplaintStage,
    PublicHoliday,
)
from .exits import ExitRequest, ExitVia, ServiceCode
from .reports import (
    OPEN_REPORT_STATES,
    ClosingOutcome,
    PublicReport,
    ReportEvent,
    ReportPhoto,
    ReportState,
    ReportTopic,
)
from .survey import SurveyElement, SurveyInvitation, SurveyResponse

__all__ = [
    "OFFICE_STAGES",
    "OPEN_COMPLAINT_STAGES",
    "Complaint",
    "ComplaintCategory",
    "ComplaintDeadline",
    "ComplaintEvent",
    "ComplaintStage",
    "PublicHoliday",
    "ExitRequest",
    "ExitVia",
    "ServiceCode",
    "SurveyElement",
    "SurveyInvitation",
    "SurveyResponse",
    "OPEN_REPORT_STATES",
    "ClosingOutcome",
    "PublicReport",
    "ReportEvent",
    "ReportPhoto",
    "ReportState",
    "ReportTopic",
]
