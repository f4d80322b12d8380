import csv
import json
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from audit import selectors as audit_selectors
from audit.models import Action
from dataapi.errors import DataAPIError
from mapflow_web.http import DashboardRequest

from . import selectors, services
from .clients import api_url_allowed
from .forms import (
    AuditFilterForm,
    CredentialForm,
    InvitationForm,
    RoleForm,
    SignUpForm,
    TeamForm,
)
from .middleware import SESSION_KEY
from .models import Invitation, Membership, Role
from .permissions import team_role_required


def _team_page(request: DashboardRequest, partial: str | None = None, status: int = 200, **forms):
    """The team page, or with htmx one of its parts (`teams/team.html#members`, `#invitations`, `#credential`)."""
    team = request.team
    credential = getattr(team, "credential", None)
    context = {
        "team_form": forms.get("team_form") or TeamForm(),
        "credential_form": forms.get("credential_form")
        or CredentialForm(current_url=credential.api_url if credential else None),
        "invitation_form": forms.get("invitation_form") or InvitationForm(),
        "invitation_link": forms.get("invitation_link"),
        "roles": Role.choices,
        "invitation_days": settings.TEAM_INVITATION_DAYS,
    }
    if team is not None:
        context |= {
            "members": selectors.team_members(team=team),
            "invitations": selectors.team_pending_invitations(team=team) if request.membership.can_administer else [],
            "credential": credential,
            "credential_allowed": credential is not None and api_url_allowed(credential.api_url),
        }
    template = f"teams/team.html#{partial}" if partial and request.htmx else "teams/team.html"
    return render(request, template, context, status=status)


def _done(request: DashboardRequest, partial: str, **forms):
    """After a change: the changed part for htmx, else back to the team page."""
    if request.htmx:
        return _team_page(request, partial, **forms)
    return redirect("teams:team")


@login_required
def team_detail(request: DashboardRequest):
    return _team_page(request)


@login_required
@require_POST
def team_create(request: DashboardRequest):
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _team_page(request, status=400, team_form=form)
    team = services.team_create(name=form.cleaned_data["name"], owner=request.user)
    request.session[SESSION_KEY] = team.pk
    messages.success(request, f"Team {team.name} created; you are its owner.")
    return redirect("teams:team")


@login_required
@require_POST
def team_switch(request: DashboardRequest):
    membership = get_object_or_404(Membership, user=request.user, team_id=request.POST.get("team_id") or 0)
    request.session[SESSION_KEY] = membership.team_id
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return HttpResponseRedirect(target)  # a path, never a view name (redirect() would try to reverse "foo")


@team_role_required(Role.OWNER)
@require_POST
def team_delete(request: DashboardRequest):
    name = request.team.name
    services.team_delete(team=request.team)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"Team {name} deleted.")
    return redirect("teams:team")


@sensitive_post_parameters("token")
@team_role_required(Role.ADMIN)
@require_POST
def credential_update(request: DashboardRequest):
    form = CredentialForm(request.POST)
    if form.is_valid():
        try:
            credential = services.credential_save(team=request.team, by=request.user, **form.cleaned_data)
        except DataAPIError as exc:
            form.add_error("token", f"The token was not saved: {exc.message}.")
        else:
            request.team.credential = credential
            messages.success(request, f"Connected to the Data API as {credential}.")
            return _done(request, "credential")
    return _team_page(request, "credential", status=400, credential_form=form)


def _member(request: DashboardRequest, membership_id: int) -> Membership:
    return get_object_or_404(Membership, pk=membership_id, team=request.team)


def _members_changed(request: DashboardRequest, change: Callable[[], str]):
    """Apply a change to the members (it returns what to tell), or tell which rule refused it."""
    try:
        messages.success(request, change())
    except services.NotAllowed as exc:
        messages.error(request, str(exc))
    return _done(request, "members")


@team_role_required(Role.ADMIN)
@require_POST
def member_role(request: DashboardRequest, membership_id: int):
    membership = _member(request, membership_id)
    form = RoleForm(request.POST)

    def change() -> str:
        if not form.is_valid():
            raise services.NotAllowed("Choose one of the roles")
        changed = services.membership_change_role(
            membership=membership, role=form.cleaned_data["role"], by=request.membership
        )
        return f"{changed.user} is now {changed.get_role_display().lower()}."

    return _members_changed(request, change)


@team_role_required(Role.ADMIN)
@require_POST
def member_remove(request: DashboardRequest, membership_id: int):
    membership = _member(request, membership_id)

    def change() -> str:
        services.membership_remove(membership=membership, by=request.membership)
        return f"{membership.user} was removed from {request.team}."

    return _members_changed(request, change)


@team_role_required(Role.ADMIN)
@require_POST
def invitation_create(request: DashboardRequest):
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _team_page(request, "invitations", status=400, invitation_form=form)
    _, link = services.invitation_create(
        team=request.team,
        invited_by=request.user,
        link_for=lambda token: request.build_absolute_uri(reverse("teams:invitation", args=[token])),
        **form.cleaned_data,
    )
    messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    return _team_page(request, "invitations", invitation_link=link)


@team_role_required(Role.ADMIN)
@require_POST
def invitation_revoke(request: DashboardRequest, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, team=request.team)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, f"Invitation of {invitation.email} revoked.")
    return _done(request, "invitations")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: DashboardRequest, token: str):
    """The invitation's page: signed in, join; signed out, sign in or create an account with the invited address."""
    if request.method == "GET":
        invitation = selectors.invitation_by_token(token=token)
        return render(request, "teams/invitation.html", {"invitation": invitation, "token": token})
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        membership = services.invitation_accept(token=token, user=request.user)
    except services.NotAllowed as exc:
        return render(request, "teams/invitation.html", {"error": str(exc)}, status=410)
    return _joined(request, membership)


def _joined(request: DashboardRequest, membership) -> HttpResponseRedirect:
    request.session[SESSION_KEY] = membership.team_id
    messages.success(request, f"You joined {membership.team} as {membership.get_role_display().lower()}.")
    return redirect("teams:team")


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: DashboardRequest):
    """A new account: from an invitation (its address, and the team joined at once), or, where the operator allows
    open sign-up (ACCOUNTS_OPEN_SIGNUP), by anyone."""
    token = request.POST.get("invitation") or request.GET.get("invitation") or ""
    invitation = selectors.invitation_by_token(token=token) if token else None
    if token and invitation is None:
        return render(request, "teams/invitation.html", {"token": token}, status=410)
    if invitation is None and not settings.ACCOUNTS_OPEN_SIGNUP:
        return render(request, "registration/message.html", {
            "title": "Sign-up is by invitation",
            "text": "Accounts on this site are created from an invitation: ask an admin of your team to invite you.",
        }, status=404)
    if request.user.is_authenticated:
        return redirect(reverse("teams:invitation", args=[token]) if invitation else "home")
    form = SignUpForm(request.POST or None, invited_email=invitation.email if invitation else None)
    if request.method == "POST" and form.is_valid():
        try:
            user, membership = services.user_sign_up(form=form, invitation_token=token or None)
        except services.NotAllowed as exc:
            return render(request, "teams/invitation.html", {"error": str(exc)}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if membership is not None:
            return _joined(request, membership)
        messages.success(request, "Your account is ready: create a team, or ask to be invited to one.")
        return redirect("teams:team")
    context = {
        "form": form,
        "title": f"Create an account to join {invitation.team}" if invitation else "Create an account",
        "submit": "Create the account and join" if invitation else "Create the account",
        "invitation_token": token,
    }
    return render(request, "registration/form.html", context, status=400 if form.is_bound else 200)


# --- Audit log ---

AUDIT_PAGE_SIZE = 100
CSV_COLUMNS = ["when (UTC)", "by", "action", "object type", "object id", "name at the time", "details"]


def _audit_entries(request: DashboardRequest):
    """The filter form and the team's entries it selects (never another team's)."""
    team_id = request.team.pk
    form = AuditFilterForm(request.GET, actions=Action.choices, actors=audit_selectors.team_actors(team_id=team_id))
    chosen = form.filters()
    entries = audit_selectors.team_entries(
        team_id=team_id, action=chosen["action"] or "", actor_id=chosen["actor"], since=chosen["since"],
        until=chosen["until"],
    )
    return form, entries


@team_role_required(Role.ADMIN)
@require_http_methods(["GET"])
def audit_log_page(request: DashboardRequest):
    form, entries = _audit_entries(request)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "retention_days": settings.AUDIT_RETENTION_DAYS}
    return render(request, "teams/audit.html", context)


def _cell(value: str) -> str:
    """A spreadsheet opens a cell starting with = + - @ as a formula: such a value is quoted (names are anyone's)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(entries) -> Iterator[str]:
    class Line:
        def write(self, text: str) -> str:
            return text

    writer = csv.writer(Line())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=500):
        cells = [
            entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor_email or "the dashboard", entry.action,
            entry.object_type, entry.object_id, entry.object_name, json.dumps(entry.details, ensure_ascii=False),
        ]
        yield writer.writerow([_cell(cell) for cell in cells])


@team_role_required(Role.ADMIN)
@require_http_methods(["GET"])
def audit_log_csv(request: DashboardRequest):
    """The entries the filters select, as CSV, streamed (a log of years is not held in memory)."""
    _, entries = _audit_entries(request)
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
