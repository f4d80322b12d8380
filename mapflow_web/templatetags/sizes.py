"""`{{ bytes|size }}`: a byte count in the dashboard's one size format (decimal units, `common.sizes.format_size`),
in place of Django's `filesizeformat` (binary units); `{% size_units %}` says which units these are."""

from django import template

from common.sizes import UNITS_NOTE, format_size

register = template.Library()


@register.filter
def size(value) -> str:
    """A number of bytes as "20 GB"; "" for what is not a number (a size the Data API did not give)."""
    try:
        return format_size(int(value))
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def size_units() -> str:
    return UNITS_NOTE
