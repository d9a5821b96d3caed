"""A registration's check-in code with its QR, as participants see it on their pages:
`{% load check_in %}{% check_in_code registration %}`."""

from __future__ import annotations

from django import template

from events import qr
from events.models import Registration

register = template.Library()


@register.inclusion_tag("events/includes/check_in_code.html")
def check_in_code(registration: Registration, *, printable: bool = False) -> dict:
    return {
        "registration": registration,
        "code": registration.check_in_code_display,
        "qr": qr.svg_data_uri(registration.check_in_code),
        "printable": printable,
    }
