"""JSON Schema of the report (``casefile-review/1``), for tests and for programs that read it."""
from __future__ import annotations

from .checklist import CHECKLIST_ITEMS, STATUSES

_CITE = {
    "type": "object",
    "required": ["document", "page", "quote", "start", "end"],
    "properties": {"document": {"type": "string"}, "page": {"type": "integer", "minimum": 1},
                   "quote": {"type": "string", "minLength": 1}, "start": {"type": "integer", "minimum": 0},
                   "end": {"type": "integer", "minimum": 1}},
}
_DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}

REPORT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schema", "case", "documents", "checklist", "tpm_requests", "evidence", "concerns", "timeline", "problems"],
    "properties": {
        "schema": {"const": "casefile-review/1"},
        "case": {"type": "object", "required": ["id", "files", "pages", "pipeline"],
                 "properties": {"id": {"type": "string"}, "files": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                "pages": {"type": "integer", "minimum": 1}, "pipeline": {"type": "string", "minLength": 1}}},
        "documents": {"type": "array", "items": {
            "type": "object", "required": ["id", "file", "kind", "title", "first_page", "last_page"],
            "properties": {"id": {"type": "string"}, "file": {"type": "string"}, "kind": {"type": "string"}, "title": {"type": "string"},
                           "first_page": {"type": "integer", "minimum": 1}, "last_page": {"type": "integer", "minimum": 1}}}},
        "checklist": {"type": "array", "minItems": len(CHECKLIST_ITEMS), "maxItems": len(CHECKLIST_ITEMS), "items": {
            "type": "object", "required": ["item", "group", "status", "evidence", "action"],
            "properties": {"item": {"enum": CHECKLIST_ITEMS}, "group": {"enum": ["suspect", "enquiries", "tpm", "victim", "disclosure", "timeliness"]},
                           "status": {"enum": list(STATUSES)}, "evidence": {"type": "array", "items": _CITE},
                           "action": {"type": ["string", "null"]}}}},
        "tpm_requests": {"type": "array", "items": {
            "type": "object", "required": ["category", "holder", "page", "quote", "reason_stated", "scope_limited", "victim_notified", "assessment"],
            "properties": {"category": {"enum": ["medical", "counselling", "social_care", "education", "employer", "police_records", "complainant_device", "sarc", "other"]},
                           "holder": {"type": ["string", "null"]}, "page": {"type": "integer", "minimum": 1}, "quote": {"type": "string"},
                           "reason_stated": {"type": "boolean"}, "scope_limited": {"type": "boolean"}, "victim_notified": {"type": "boolean"},
                           "assessment": {"enum": ["justified", "needs_justification", "speculative"]}}}},
        "evidence": {"type": "array", "items": {
            "type": "object", "required": ["label", "subject", "status", "page", "quote"],
            "properties": {"label": {"type": "string"}, "subject": {"enum": ["suspect", "complainant", "witness", "unknown"]},
                           "status": {"enum": ["obtained", "outstanding", "not_done", "declined"]},
                           "page": {"type": "integer", "minimum": 1}, "quote": {"type": "string"}}}},
        "concerns": {"type": "array", "items": {
            "type": "object", "required": ["kind", "page", "quote", "why"],
            "properties": {"kind": {"enum": ["myth_or_stereotype", "sexual_history", "complainant_focus"]},
                           "page": {"type": "integer", "minimum": 1}, "quote": {"type": "string"}, "why": {"type": "string"}}}},
        "timeline": {"type": "object", "required": ["offence", "reported", "suspect_interviewed", "submitted", "days_report_to_submission"],
                     "properties": {"offence": _DATE, "reported": _DATE, "suspect_interviewed": _DATE, "submitted": _DATE,
                                    "days_report_to_submission": {"type": ["integer", "null"]}}},
        "problems": {"type": "array", "items": {"type": "object", "required": ["file", "kind", "detail"]}},
    },
}
