"""The JSON Schema of the data format, generated from `spec` so the two cannot drift apart.

The shipped file `schema/deadlinecal.schema.json` is this module's output; a test proves
they are identical. Checks that need the whole file (declared terms, unique ids, real
calendar days, windows in order) are the validator's alone.
"""

from __future__ import annotations

import json
from typing import Any

from deadlinecal.dataset.spec import MAX_ID_CHARS, MAX_REMINDERS, ROOT, TERM, Field, Shape

SCHEMA_ID = "https://deadlinecal.invalid/schema/deadlinecal.schema.json"

_SLUG = r"^[a-z0-9][a-z0-9-]*$"
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_SINGLE = (
    r"(?:[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?"
    r"|(?:early|mid|late)[ -][0-9]{4}-[0-9]{2}"
    r"|(?:spring|summer|fall|autumn|winter) [0-9]{4})"
)
_TIME = _DAY + r"[ T][0-9]{2}:[0-9]{2}(?: [A-Za-z][A-Za-z0-9_+/-]*)?"
_APPROX = r"(?:around |~)?"
FUZZY_PATTERN = rf"^{_APPROX}{_SINGLE}(?: *\.\. *{_SINGLE})?$"
MOMENT_PATTERN = rf"^{_APPROX}(?:{_TIME}|{_SINGLE}(?: *\.\. *{_SINGLE})?)$"
REMINDER_PATTERN = r"^[Pp](?:[0-9]+[Ww])?(?:[0-9]+[Dd])?(?:[Tt](?:[0-9]+[Hh])?(?:[0-9]+[Mm])?)?$"
DURATION_PATTERN = r"^[0-9]+(?: ?[-–] ?[0-9]+)? (?:day|week|month)s?$"
# The validator accepts any plain scalar as text (a bare 2027 or true reads as written).
_TEXT: dict[str, Any] = {"type": ["string", "integer", "boolean"]}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for a data file."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": ROOT.name,
        "description": ROOT.doc,
    }
    schema.update(_object(ROOT))
    return schema


def schema_text() -> str:
    """The schema as the exact text of the shipped file."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _object(shape: Shape) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {field.name: _field(field) for field in shape.fields},
        "required": [field.name for field in shape.fields if field.required],
        "additionalProperties": False,
    }


def _field(field: Field) -> dict[str, Any]:
    described = {"description": field.doc}
    described.update(_kind(field))
    return described


def _kind(field: Field) -> dict[str, Any]:
    kind = field.kind
    if kind == "object":
        assert field.shape is not None
        return _object(field.shape)
    if kind == "list":
        assert field.shape is not None
        return {"type": "array", "items": _object(field.shape)}
    if kind in ("vocabulary", "feeds"):
        from deadlinecal.dataset.spec import FEED

        return {
            "type": "object",
            "propertyNames": {"pattern": _SLUG, "maxLength": MAX_ID_CHARS},
            "additionalProperties": _object(TERM if kind == "vocabulary" else FEED),
        }
    if kind in ("keys", "eligibility"):
        slug = {"type": "string", "pattern": _SLUG, "maxLength": MAX_ID_CHARS}
        forms: list[dict[str, Any]] = [slug, {"type": "array", "items": slug,
                                              "minItems": 0 if field.empty_ok else 1}]
        if kind == "eligibility":
            assert field.shape is not None
            forms.append(_object(field.shape))
        return {"oneOf": forms}
    if kind == "texts":
        return {"oneOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1}]}
    if kind == "reminders":
        return {"type": "array", "items": {"type": "string", "pattern": REMINDER_PATTERN},
                "maxItems": MAX_REMINDERS}
    if kind == "int":
        bounded: dict[str, Any] = {"type": "integer"}
        if field.minimum is not None:
            bounded["minimum"] = field.minimum
        if field.maximum is not None:
            bounded["maximum"] = field.maximum
        return bounded
    simple: dict[str, dict[str, Any]] = {
        "text": _TEXT,
        "bool": {"type": "boolean"},
        "slug": {"type": "string", "pattern": _SLUG, "maxLength": MAX_ID_CHARS},
        "key": {"type": "string", "pattern": _SLUG, "maxLength": MAX_ID_CHARS},
        "url": {"type": "string", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/$.?#]\S*$"},
        "day": {"type": "string", "pattern": f"^{_DAY}$"},
        "verified": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?$"},
        "fuzzy": {"type": "string", "pattern": FUZZY_PATTERN},
        "moment": {"type": "string", "pattern": MOMENT_PATTERN},
        "duration": {"type": "string", "pattern": DURATION_PATTERN},
    }
    return dict(simple[kind])
