"""Builders of the OpenAPI document's recurring parts."""

_ERROR = {"description": "Error", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}}


def json(schema, description="OK"):
    """A JSON response of ``schema``."""
    return {"description": description,
            "content": {"application/json": {"schema": schema}}}


def ref(name):
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def query(name, schema, description, required=False):
    """A query parameter, optional unless ``required``."""
    return {"name": name, "in": "query", "required": required,
            "schema": schema, "description": description}


def path(name):
    """A path parameter (a string)."""
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string"}}


def errors(*codes):
    """Error responses: ``codes`` and the 401 of every secured operation."""
    return {str(code): _ERROR for code in (401, *codes)}


def body(schema):
    """A required JSON request body of ``schema``."""
    return {"required": True,
            "content": {"application/json": {"schema": schema}}}
