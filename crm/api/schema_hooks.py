"""OpenAPI post-processing: answers every operation can give, written once.

Every operation with a JSON body can answer 413 (body over the limit) and 415 (not JSON),
from the parser (``crm/api/parsers.py``), and every operation 400 for more than 1,000 query
parameters; listing them per view would be the same lines forty times. The schemathesis
test checks that each answer the server gives is in the schema.
"""

from __future__ import annotations

from typing import Any

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
BODY_ANSWERS = {
    "413": "The body is larger than the limit (8 MiB by default)",
    "415": "The body is not JSON",
}
ANY_ANSWERS = {"400": "Bad input: every problem, each with its field"}
API_PREFIXES = (
    "/crm/",
    "/automation/",
    "/events/",
    "/marketing/",
    "/submissions/",
    "/account-info/",
)


def add_common_answers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_PREFIXES):
            continue
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = dict(ANY_ANSWERS)
            if "requestBody" in operation:
                answers.update(BODY_ANSWERS)
            for code, description in answers.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": ERROR}
                )
    return result
