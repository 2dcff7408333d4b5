"""The collaboration workspace's API, mounted at /api/v1/collaboration/: one router
made of a router per part (forums, meetings, decisions, agreements, resources,
health). Lists and look-ups go through the scoping layer; writes call the actions."""

from ninja import Router

from .agreements import router as agreements_router
from .decisions import router as decisions_router
from .forums import router as forums_router
from .health import router as health_router
from .meetings import router as meetings_router
from .resources import router as resources_router

router = Router()
router.add_router("", forums_router)
router.add_router("", meetings_router)
router.add_router("", decisions_router)
router.add_router("", agreements_router)
router.add_router("", resources_router)
router.add_router("", health_router)

__all__ = ["router"]
