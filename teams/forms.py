from django import forms
from django.conf import settings

from .models import Role

ASSIGNABLE_ROLES = [(role.value, role.label) for role in Role if role != Role.OWNER]


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)


class CredentialForm(forms.Form):
    api_url = forms.URLField(
        label="Data API URL",
        max_length=300,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "form-control"}),
    )
    token = forms.CharField(
        label="Token",
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "class": "form-control"}),
        help_text="The Basic token Mapflow gives you (base64 of email:apiToken).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["api_url"].initial = settings.DATA_API_URL  # unless the team's current URL is given


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=ASSIGNABLE_ROLES, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
