"""Validators for Chinese identifiers and contact details.

Each `normalize_*` function returns the canonical form or raises ValidationError with
a translated message; the `validate_*` wrappers suit model and form fields.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this 31-character alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_SEPARATORS = re.compile(r"[\s\u3000()（）]")


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    """Upper-case, strip spaces, and verify length, alphabet and check character."""
    code = _SEPARATORS.sub("", str(value)).upper()
    if len(code) != USCC_LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters (this one has %(length)d)."),
            code="uscc_length",
            params={"length": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _(
                "The unified social credit code contains invalid characters: %(chars)s (I, O, S, V and Z are never used)."
            ),
            code="uscc_alphabet",
            params={"chars": "".join(bad)},
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "The check character of this unified social credit code is wrong; please check the code."
            ),
            code="uscc_checksum",
        )
    return code


def validate_uscc(value: str) -> None:
    normalize_uscc(value)


def normalize_mobile(value: str) -> str:
    """A mainland mobile number as 11 digits, after removing +86/0086 and separators."""
    number = _SEPARATORS.sub("", str(value)).replace("-", "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    if not _MOBILE.fullmatch(number):
        raise ValidationError(
            _("Enter a valid mainland China mobile number (11 digits starting with 1)."),
            code="mobile",
        )
    return number


def normalize_phone(value: str) -> str:
    """A mainland mobile number, or a landline with its area code (021-64871234)."""
    try:
        return normalize_mobile(value)
    except ValidationError:
        landline = _SEPARATORS.sub("", str(value))
        if landline.startswith("+86"):
            landline = "0" + landline[3:].lstrip("0")
        if _LANDLINE.fullmatch(landline):
            return landline
    raise ValidationError(
        _(
            "Enter a valid phone number: a mobile number (e.g. 13800138000) or a landline with its area code (e.g. 021-64871234)."
        ),
        code="phone",
    )


def validate_phone(value: str) -> None:
    normalize_phone(value)


# Attachments: what a need or solution may carry. Checked by content, not by name.
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
_UNSAFE_NAME = re.compile(r"[^\w.\- ()\u3000-\u9fff\uff00-\uffef]")


def sanitize_filename(name: str) -> str:
    """The last path component, without control or shell characters, at most 120 long."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" .") or "file"
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 8:
        return f"{stem[: 120 - len(ext) - 1]}.{ext}"
    return base[:120]


def validate_attachment(upload) -> tuple[str, str]:
    """Check size and real type of an upload; return (content type, safe file name)."""
    import filetype  # noqa: PLC0415 — only needed on upload
    from django.conf import settings  # noqa: PLC0415

    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            code="too_large",
            params={"size": round(upload.size / 1_048_576, 1), "limit": limit // 1_048_576},
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            _(
                "This file type is not accepted. Upload a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG file."
            ),
            code="file_type",
        )
    name = sanitize_filename(upload.name)
    expected_ext = ALLOWED_ATTACHMENT_TYPES[kind.mime]
    if not name.lower().endswith(
        (expected_ext, ".jpeg") if expected_ext == ".jpg" else expected_ext
    ):
        name = f"{name.rsplit('.', 1)[0] if '.' in name else name}{expected_ext}"
    return kind.mime, name


def validate_video_url(value: str) -> None:
    """A video-conference link: an https address of a host, without credentials.

    The link is shown in pages, emails and calendar files, so anything that is not a
    plain web address (javascript:, data:, a user:password@ prefix) is refused.
    """
    from urllib.parse import urlsplit  # noqa: PLC0415

    from django.core.validators import URLValidator  # noqa: PLC0415

    message = _("Enter a video-conference link starting with https://.")
    try:
        URLValidator(schemes=["https"], message=message)(value)
    except ValidationError:
        raise ValidationError(message, code="video_url") from None
    parts = urlsplit(value)
    if parts.username or parts.password:
        raise ValidationError(message, code="video_url")
