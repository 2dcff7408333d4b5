"""The health check of collaboration and the picture of the network: who works with
whom, and how closely (the modules behind them are imported when first asked)."""

from ninja import Router

from ._common import forum_for

router = Router(tags=["collaboration: health & integration"])


@router.get(
    "/health",
    response=dict,
    summary="Health of collaboration across the forums the user may see",
)
def network_health(request):
    from .. import health

    return health.report_as_dict(health.health_for_network(request.auth))


@router.get("/forums/{int:forum_id}/health", response=dict, summary="Health of one forum")
def forum_health(request, forum_id: int):
    from .. import health

    forum = forum_for(request, forum_id)
    return health.report_as_dict(health.health_for_forum(forum))


@router.get(
    "/graph",
    response=dict,
    summary="The network as nodes (organisations) and edges (ties between them)",
)
def graph(request):
    from .. import integration

    return integration.graph(request.auth)


@router.get(
    "/integration",
    response=list[dict],
    summary="For each pair of organisations, how integrated their work is",
)
def integration_levels(request):
    from .. import integration

    return integration.pair_levels(request.auth)
