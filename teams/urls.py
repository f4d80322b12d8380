from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("team/", views.team_detail, name="team"),
    path("team/new", views.team_create, name="create"),
    path("team/switch", views.team_switch, name="switch"),
    path("team/delete", views.team_delete, name="delete"),
    path("team/credential", views.credential_update, name="credential"),
    path("team/members/<int:membership_id>/role", views.member_role, name="member-role"),
    path("team/members/<int:membership_id>/remove", views.member_remove, name="member-remove"),
    path("team/invitations", views.invitation_create, name="invitations"),
    path("team/invitations/<int:invitation_id>/revoke", views.invitation_revoke, name="invitation-revoke"),
    path("team/audit/", views.audit_log_page, name="audit"),
    path("team/audit.csv", views.audit_log_csv, name="audit-csv"),
    path("invitations/<str:token>", views.invitation_accept, name="invitation"),
]
