"""Validating a field the rep edits in place, with the same libraries the import
uses: phonenumbers for phones (stored as E.164), email-validator for addresses
(syntax only: no network look-ups from a desktop app)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadtriage.errors import UserError

MAX_TEXT = 500

# field -> label; the fields a rep may edit from the contact card
EDITABLE: dict[str, str] = {
    "first_name": "First name", "last_name": "Last name", "title": "Title", "company": "Company",
    "phone": "Phone", "email": "E-mail", "website": "Website", "linkedin": "LinkedIn",
    "industry": "Industry", "employees": "Employees", "country": "Country", "city": "City",
}


class InvalidField(UserError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Cleaned:
    changes: dict[str, Any]  # column -> new value (may include companion columns)
    display: str


def clean_field(field: str, text: str, default_region: str = "US") -> Cleaned:
    """The stored value(s) for what the rep typed, or InvalidField with a message
    that says what is wrong. Empty text clears the field."""
    if field not in EDITABLE:
        raise InvalidField(field, f"{field} cannot be edited here.")
    label = EDITABLE[field]
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidField(field, f"{label} is too long (at most {MAX_TEXT} characters).")
    if any(ord(c) < 32 for c in text):
        raise InvalidField(field, f"{label} cannot contain line breaks or control characters.")
    if not text:
        extra = {"phone_raw": None} if field == "phone" else {}
        return Cleaned({field: None, **extra}, "")
    if field == "phone":
        return _phone(text, default_region)
    if field == "email":
        return _email(text)
    if field == "employees":
        digits = text.replace(",", "").replace(" ", "").replace("_", "")
        if not digits.isdigit() or int(digits) > 10_000_000:
            raise InvalidField(field, "Employees must be a whole number, such as 250.")
        return Cleaned({field: int(digits)}, f"{int(digits):,}")
    if field == "country":
        code = text.upper()
        if len(code) != 2 or not code.isalpha():
            raise InvalidField(field, "Country must be a two-letter code, such as US or DE.")
        return Cleaned({field: code}, code)
    return Cleaned({field: text}, text)


def _phone(text: str, region: str) -> Cleaned:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, (region or "US").upper())
    except phonenumbers.NumberParseException:
        raise InvalidField("phone", f"“{text[:40]}” is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidField("phone", f"“{text[:40]}” is not a valid number for its country "
                                    "(add +country code if it is abroad).")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    changes: dict[str, Any] = {"phone": e164, "phone_raw": text}
    if number.extension:
        changes["phone_ext"] = number.extension
    return Cleaned(changes, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def _email(text: str) -> Cleaned:
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidField("email", f"E-mail: {exc}") from None
    return Cleaned({"email": result.normalized}, result.normalized)
