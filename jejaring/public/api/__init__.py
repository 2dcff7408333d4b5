"""The public side's API: the ``citizen_routers`` need no account, the ``staff_routers``
go through the scope; one module per part (``reports``, ``complaints``)."""

from . import complaints, exits, open_data, reports, survey

# (prefix, router) to mount under /api/v1/.
citizen_routers = [
    ("/public/", reports.citizen_router),
    ("/public/", complaints.citizen_router),
    ("/public/", survey.citizen_router),
    ("/public/", exits.citizen_router),
    ("/public/open/", open_data.router),
]
staff_routers = [
    ("/reports/", reports.router),
    ("/complaints/", complaints.router),
    ("/skm/", survey.router),
    ("/exit-requests/", exits.router),
]
