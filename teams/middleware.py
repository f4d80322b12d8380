"""Sets `request.team`, `request.membership` and `request.dataapi` (see mapflow_web.http.DashboardRequest)."""

from django.utils.functional import SimpleLazyObject

from . import selectors
from .clients import client_for

SESSION_KEY = "team_id"


class CurrentTeamMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.team = request.membership = None
        if request.user.is_authenticated:
            membership = selectors.membership_for(user=request.user, team_id=request.session.get(SESSION_KEY))
            if membership is not None:
                request.membership, request.team = membership, membership.team
        request.dataapi = SimpleLazyObject(lambda: client_for(team=request.team))
        return self.get_response(request)
