"""The API's documentation: the OpenAPI document and a readable page made from it."""

from flask import Blueprint, jsonify, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _

from app.access import PUBLIC, access

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates")

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/openapi.json")
@access(PUBLIC)
def openapi_json():
    from api import openapi_document

    return jsonify(openapi_document())


@bp.get("/docs")
@access(PUBLIC)
def docs():
    from api import openapi_document

    return render_template("api/docs.html", doc=readable(openapi_document()))


def _resolve(spec: dict, node: dict | None) -> dict:
    """Follow a $ref into components (one level is all our document uses)."""
    if not node:
        return {}
    ref = node.get("$ref")
    if not ref:
        return node
    section, _, name = ref.removeprefix("#/components/").partition("/")
    return spec.get("components", {}).get(section, {}).get(name, {})


def _type_of(spec: dict, prop: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if prop.get("type") == "array":
        return f"list of {_type_of(spec, prop.get('items', {}))}"
    kind = prop.get("type", "object")
    if prop.get("format"):
        kind = f"{kind} ({prop['format']})"
    return kind


def _number(value) -> str:
    """A limit as the UI writes numbers: 1.000.000 and 0,01, never 1e+06."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value)


def _rules(prop: dict) -> list[str]:
    rules = []
    items = prop.get("items", {})
    enum = prop.get("enum") or items.get("enum")
    if enum:
        codes = ", ".join(str(value) for value in enum if value is not None)
        rules.append(_("one of %(codes)s", codes=codes))
    if "minLength" in prop:
        rules.append(_("at least %(count)s characters", count=prop["minLength"]))
    if "maxLength" in prop:
        rules.append(_("at most %(count)s characters", count=prop["maxLength"]))
    if "minimum" in prop:
        rules.append(f"≥ {_number(prop['minimum'])}")
    if "maximum" in prop:
        rules.append(f"≤ {_number(prop['maximum'])}")
    if prop.get("nullable"):
        rules.append(_("may be null"))
    if prop.get("readOnly"):
        rules.append(_("read-only"))
    if prop.get("description"):
        rules.append(prop["description"])
    return rules


def _fields(spec: dict, schema_node: dict | None) -> tuple[str, list[dict]]:
    schema = _resolve(spec, schema_node)
    name = (schema_node or {}).get("$ref", "").rsplit("/", 1)[-1]
    required = set(schema.get("required", []))
    return name, [
        {
            "name": field,
            "type": _type_of(spec, prop),
            "required": field in required,
            "rules": _rules(prop),
        }
        for field, prop in schema.get("properties", {}).items()
    ]


def readable(spec: dict) -> dict:
    """The OpenAPI document as a list of operations with their fields, for the page."""
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            parameters = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "type": _type_of(spec, p.get("schema", {})),
                    "rules": _rules(p.get("schema", {})),
                }
                for p in (item.get("parameters", []) + op.get("parameters", []))
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            body_name, body_fields = _fields(spec, body.get("schema"))
            responses = []
            for status, response in op.get("responses", {}).items():
                response = _resolve(spec, response)
                content = response.get("content", {}).get("application/json", {})
                schema_name, _ = _fields(spec, content.get("schema"))
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "schema": schema_name,
                    }
                )
            operations.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": parameters,
                    "body_name": body_name,
                    "body_fields": body_fields,
                    "responses": responses,
                }
            )
    schemas = {}
    for name in sorted(spec.get("components", {}).get("schemas", {})):
        _name, schema_fields = _fields(spec, {"$ref": f"#/components/schemas/{name}"})
        schemas[name] = schema_fields
    return {"info": spec.get("info", {}), "operations": operations, "schemas": schemas}
