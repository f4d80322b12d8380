"""Sign-in, sign-out and passwords: Django's views with our templates (one form page, one message page)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from teams import views as team_views


def _form(view, route: str, name: str, title: str, submit: str, **options):
    context = {"title": title, "submit": submit}
    return path(
        route, view.as_view(template_name="registration/form.html", extra_context=context, **options), name=name
    )


def _message(view, route: str, name: str, title: str, text: str):
    context = {"title": title, "text": text}
    return path(route, view.as_view(template_name="registration/message.html", extra_context=context), name=name)


urlpatterns = [
    _form(auth_views.LoginView, "login/", "login", "Sign in", "Sign in"),
    path("signup/", team_views.signup, name="signup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    _form(
        auth_views.PasswordChangeView, "password/change/", "password_change", "Change your password", "Change password"
    ),
    _message(
        auth_views.PasswordChangeDoneView,
        "password/change/done/",
        "password_change_done",
        "Password changed",
        "Your new password is in use.",
    ),
    _form(
        auth_views.PasswordResetView,
        "password/reset/",
        "password_reset",
        "Reset your password",
        "Send the reset link",
        success_url=reverse_lazy("password_reset_done"),
    ),
    _message(
        auth_views.PasswordResetDoneView,
        "password/reset/sent/",
        "password_reset_done",
        "Check your email",
        "If an account uses that address, a reset link is on its way.",
    ),
    _form(
        auth_views.PasswordResetConfirmView,
        "password/reset/<uidb64>/<token>/",
        "password_reset_confirm",
        "Choose a new password",
        "Set password",
    ),
    _message(
        auth_views.PasswordResetCompleteView,
        "password/reset/done/",
        "password_reset_complete",
        "Password set",
        "Your new password is set; you can sign in with it.",
    ),
]
