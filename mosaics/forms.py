"""The mosaic list's filters and the forms of the mosaic and image dialogs."""

from django import forms

SORTS = {
    "-created": "Newest first",
    "created": "Oldest first",
    "name": "Name A-Z",
    "-name": "Name Z-A",
    "-size": "Largest first",
    "size": "Smallest first",
    "-images": "Most images first",
    "images": "Fewest images first",
}
MAX_TAGS = 20


class MosaicFilterForm(forms.Form):
    name = forms.CharField(required=False, max_length=255, label="Name contains")
    tag = forms.CharField(required=False, max_length=100, label="Tag")
    sort = forms.ChoiceField(required=False, choices=SORTS.items(), label="Sort")

    def filters(self) -> dict:
        """The valid filters (an invalid one is ignored: the list is still worth showing)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"name": data.get("name", ""), "tag": data.get("tag", ""), "sort": data.get("sort") or "-created"}


class MosaicForm(forms.Form):
    name = forms.CharField(max_length=255, label="Name")
    tags = forms.CharField(
        required=False, max_length=2000, label="Tags", help_text="Separated by commas, e.g. 2024, drone, Moscow"
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the mosaic a name")
        return name

    def clean_tags(self) -> list[str]:
        tags = list(dict.fromkeys(tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()))
        too_long = [tag for tag in tags if len(tag) > 100]
        if too_long:
            raise forms.ValidationError(f"A tag may have at most 100 characters: {too_long[0][:20]}… is longer")
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"At most {MAX_TAGS} tags; there are {len(tags)}")
        return tags


class DeleteForm(forms.Form):
    """A delete moves to the trash; ticking `now` deletes for good at once (the storage is freed), which is
    irreversible, so the name of what goes must then be typed."""

    now = forms.BooleanField(required=False, label="Delete for good now, bypassing the trash (frees the storage)")
    confirmation = forms.CharField(required=False, label="To delete for good, type the name")

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean(self) -> dict:
        data = super().clean()
        if data.get("now") and (data.get("confirmation") or "").strip() != self.expected:
            self.add_error("confirmation", f"Type {self.expected} exactly to delete it for good")
        return data


class ImageRenameForm(forms.Form):
    name = forms.CharField(max_length=255, label="File name")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the image a name")
        return name
