"""The role a view needs in the current team."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .models import Role


def team_role_required(minimum: Role):
    """Signed in, in a team (else sent to the team page to create one), with at least `minimum` there (else 403)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.membership is None:
                return redirect("teams:team")
            if not request.membership.has_role(minimum):
                raise PermissionDenied(f"This needs the {minimum.label.lower()} role in {request.team}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
