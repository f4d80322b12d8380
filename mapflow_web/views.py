from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from .frame import navigation


@login_required
def home(request):
    """The first page of the navigation."""
    return redirect(navigation()[0][1])


@require_GET
def healthz(request):
    """For load balancers and compose: the process answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
