"""`make run` sets up a demo user whose team is connected to the self-hosted demo account."""

import io
import re

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from teams.clients import client_for
from teams.models import Membership, Role


def test_demo_setup_prints_a_login_for_an_owner_of_a_connected_team(live_api, settings, tmp_path):
    settings.VAR_DIR, settings.DATA_API_URL = tmp_path, live_api
    out = io.StringIO()
    call_command("demo_setup", "--email", "demo@example.com", stdout=out)
    call_command("demo_setup", "--email", "demo@example.com", stdout=out)  # running it again changes nothing
    login, password = re.findall(r"sign in as (\S+) / (\S+), team Demo", out.getvalue())[-1]
    user = authenticate(RequestFactory().get("/"), username=login, password=password)
    membership = Membership.objects.get(user=user)
    assert (membership.team.name, membership.role) == ("Demo", Role.OWNER)
    assert client_for(team=membership.team).user_status().email == "demo@example.com"
