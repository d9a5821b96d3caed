"""The REST API's router: every app registers its viewsets here under /api/v1/."""

from rest_framework.routers import DefaultRouter

from core.api.views import AuthTokenViewSet
from events.api import EventViewSet, MeetingViewSet
from matchmaking.api import (
    InterestViewSet,
    MatchViewSet,
    NeedViewSet,
    OrganizationSearchViewSet,
    SolutionViewSet,
)
from matchmaking.api_threads import ThreadViewSet

router = DefaultRouter()
router.register("auth/token", AuthTokenViewSet, basename="auth-token")
router.register("organizations", OrganizationSearchViewSet, basename="organization")
router.register("needs", NeedViewSet, basename="need")
router.register("solutions", SolutionViewSet, basename="solution")
router.register("matches", MatchViewSet, basename="match")
router.register("interests", InterestViewSet, basename="interest")
router.register("threads", ThreadViewSet, basename="thread")
router.register("events", EventViewSet, basename="event")
router.register("meetings", MeetingViewSet, basename="meeting")

app_name = "api"
urlpatterns = router.urls
