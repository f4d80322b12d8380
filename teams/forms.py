from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from .clients import api_url_normal, api_urls_allowed
from .models import Role

ASSIGNABLE_ROLES = [(role.value, role.label) for role in Role if role != Role.OWNER]


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)


class CredentialForm(forms.Form):
    api_url = forms.ChoiceField(
        label="Data API",
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="The Data APIs this site connects to (its operator chooses them).",
        error_messages={"invalid_choice": "This Data API URL is not one this site connects to; choose a listed one."},
    )
    token = forms.CharField(
        label="Token",
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "class": "form-control"}),
        help_text="The Basic token Mapflow gives you (base64 of email:apiToken).",
    )

    def __init__(self, *args, current_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        urls = api_urls_allowed()
        self.fields["api_url"].choices = [(url, url) for url in urls]
        # The team's current URL when it is still allowed, else the first listed one.
        current = next((url for url in urls if current_url and api_url_normal(url) == api_url_normal(current_url)), None)
        self.fields["api_url"].initial = current or urls[0]

    def clean_api_url(self) -> str:
        return self.cleaned_data["api_url"].rstrip("/")


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=ASSIGNABLE_ROLES, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SignUpForm(UserCreationForm):
    """A new account: a user name, an e-mail address (the invited one, when the sign-up comes from an invitation)
    and a password checked by the site's password validators."""

    email = forms.EmailField(label="E-mail address", max_length=254)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, invited_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invited_email = invited_email
        if invited_email:
            self.fields["email"].initial = invited_email
            self.fields["email"].help_text = "The address the invitation was sent to."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if self.invited_email and email.lower() != self.invited_email.lower():
            raise forms.ValidationError(
                f"The invitation was sent to {self.invited_email}; sign up with that address, or ask for an "
                "invitation to this one."
            )
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account already uses this address; sign in instead.")
        return email


class AuditFilterForm(forms.Form):
    """The audit log's filters; an invalid one is ignored (the log is still worth showing)."""

    action = forms.ChoiceField(required=False, label="Action")
    actor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="By")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[tuple[str, str]], actors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *actions]
        self.fields["actor"].choices = [("", "Anyone"), *actors]

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in ("action", "actor", "since", "until")}
