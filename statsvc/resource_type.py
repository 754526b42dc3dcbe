"""Resource types: their attribute definitions and the values they allow.

As in Gnocchi 4.x, a resource type names typed attributes (``string``,
``uuid``, ``number``, ``bool``, ``datetime``), each required or not; the
built-in ``generic`` type has none. No HTTP here: errors are
:class:`TypeDefinitionError` and :class:`AttributeValueError`, each with the
path of the offending part.
"""
import datetime
import numbers
import re
import uuid

GENERIC = {"name": "generic", "state": "active", "attributes": {}}

#: Names taken by every resource's own fields.
RESERVED = frozenset([
    "id", "type", "metrics", "revision", "revision_start", "revision_end",
    "started_at", "ended_at", "user_id", "project_id", "created_by_user_id",
    "created_by_project_id", "get_metric", "creator",
    "original_resource_id"])

# Gnocchi checks the start of a name only (``new-attr`` is valid there).
_NAME = re.compile(r"[a-zA-Z0-9]")
_TYPE_NAME = re.compile(r"[a-zA-Z0-9_-]+\Z")


class TypeDefinitionError(ValueError):
    """A resource type definition is invalid at ``path``."""

    def __init__(self, message, path):
        super().__init__(message)
        self.path = path


class AttributeValueError(ValueError):
    """A resource's attribute value is invalid at ``path``."""

    def __init__(self, message, path):
        super().__init__(message)
        self.path = path


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _int_option(spec, key, default, low, high, path):
    value = spec.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) \
            or not low <= value <= high:
        raise TypeDefinitionError(
            f"{key} must be an integer in [{low}, {high}]", path + [key])
    return value


def _number_option(spec, key, path):
    value = spec.get(key)
    if value is not None and not _is_real(value):
        raise TypeDefinitionError(f"{key} must be a number or null",
                                  path + [key])
    return value


def _definition(name, spec, path, options=False):
    """One attribute's definition, completed with Gnocchi's defaults;
    ``options`` (a type's PATCH) admits ``options: {"fill": ...}``."""
    if len(name) > 63 or name in RESERVED or not _NAME.match(name):
        raise TypeDefinitionError(
            f"Resource attribute name {name} is invalid", path)
    if not isinstance(spec, dict):
        raise TypeDefinitionError("expected a dictionary", path)
    kind = spec.get("type")
    required = spec.get("required", True)
    if not isinstance(required, bool):
        raise TypeDefinitionError("required must be true or false",
                                  path + ["required"])
    known = {"type", "required"} | ({"options"} if options else set())
    out = {"type": kind, "required": required}
    if kind == "string":
        known |= {"min_length", "max_length"}
        out["min_length"] = _int_option(spec, "min_length", 0, 0, 256, path)
        out["max_length"] = _int_option(spec, "max_length", 256, 1, 256,
                                        path)
        low, high = out["min_length"], out["max_length"]
    elif kind == "number":
        known |= {"min", "max"}
        out["min"] = low = _number_option(spec, "min", path)
        out["max"] = high = _number_option(spec, "max", path)
    elif kind in ("uuid", "bool", "datetime"):
        low = high = None
    else:
        raise TypeDefinitionError(
            "type must be one of string, uuid, number, bool, datetime",
            path + ["type"])
    if low is not None and high is not None and low > high:
        raise TypeDefinitionError(
            f"Resource attribute value min (or min_length) {low} must be"
            f" less than or equal to max (or max_length) {high}!", path)
    extra = sorted(set(spec) - known)
    if extra:
        raise TypeDefinitionError("extra keys not allowed", path + [extra[0]])
    return out


def _fill(name, definition, spec):
    """The value a type's PATCH gives existing resources for ``name``."""
    options = spec.get("options", {})
    if not isinstance(options, dict) or set(options) - {"fill"}:
        raise TypeDefinitionError(
            f"Option 'fill' of resource attribute {name} is invalid",
            ["attributes", name, "options"])
    fill = options.get("fill")
    if fill is None:
        if definition["required"]:
            raise TypeDefinitionError(
                f"Invalid input: Option 'fill' of resource attribute {name}"
                f" is invalid: must not be empty if required=True", [])
        return None
    try:
        return _check_value(definition, fill, [name])
    except AttributeValueError as e:
        expected = {"number": "Real", "bool": "bool", "string": "str"}.get(
            definition["type"], definition["type"])
        raise TypeDefinitionError(
            f"Invalid input: Option 'fill' of resource attribute {name} is"
            f" invalid: expected {expected}", []) from e


def patch_type(current, operations):
    """Apply a JSON Patch of ``add``/``remove`` operations on
    ``/attributes/<name>`` to a type document, as Gnocchi does.

    Returns ``(new type, {attribute: value for existing resources},
    removed attribute names)``; an attribute that becomes required, or a
    new one, takes its ``options.fill`` where resources lack a value.

    :raises TypeDefinitionError:
    """
    if not isinstance(operations, list):
        raise TypeDefinitionError("expected a list", [])
    attributes = {k: dict(v) for k, v in current["attributes"].items()}
    for index, operation in enumerate(operations):
        where = [str(index)]
        if not isinstance(operation, dict):
            raise TypeDefinitionError("expected a dictionary", where)
        if operation.get("op") not in ("add", "remove"):
            raise TypeDefinitionError(
                "not a valid value for dictionary value", where + ["op"])
        path = operation.get("path")
        if not isinstance(path, str) or not path.startswith("/attributes/"):
            raise TypeDefinitionError("Only attributes can be modified",
                                      where + ["path"])
        name = path[len("/attributes/"):]
        if operation["op"] == "remove":
            if name not in attributes:
                raise TypeDefinitionError(
                    f"can't remove a non-existent object '{name}'", where)
            del attributes[name]
        elif not isinstance(operation.get("value"), dict):
            raise TypeDefinitionError("expected a dictionary",
                                      where + ["value"])
        else:
            attributes[name] = operation["value"]
    new, fills = {}, {}
    for name, spec in attributes.items():
        old = current["attributes"].get(name)
        if old is not None and spec == old:
            new[name] = old
            continue
        definition = _definition(name, spec, ["attributes", name],
                                 options=True)
        if old is not None and old["type"] != definition["type"]:
            raise TypeDefinitionError(
                f"Type update is not available yet. Changing {old['type']}"
                f" to {definition['type']} for attribute {name} of resource"
                f" {current['name']}", [])
        new[name] = definition
        if old is None or definition["required"] != old["required"]:
            fills[name] = _fill(name, definition, spec)
    removed = sorted(set(current["attributes"]) - set(new))
    return dict(current, attributes=new), fills, removed


def parse_type(body):
    """Validate a ``POST /v1/resource_type`` body; return the type document.

    :raises TypeDefinitionError:
    """
    if not isinstance(body, dict):
        raise TypeDefinitionError("expected a dictionary", [])
    extra = sorted(set(body) - {"name", "attributes"})
    if extra:
        raise TypeDefinitionError("extra keys not allowed", [extra[0]])
    name = body.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 255 \
            or not _TYPE_NAME.match(name):
        raise TypeDefinitionError(
            "name must be 1 to 255 letters, digits, '_' or '-'", ["name"])
    attributes = body.get("attributes", {})
    if not isinstance(attributes, dict):
        raise TypeDefinitionError("expected a dictionary", ["attributes"])
    return {"name": name, "state": "active", "attributes": {
        key: _definition(key, spec, ["attributes", key])
        for key, spec in attributes.items()}}


def _check_value(definition, value, path):
    kind = definition["type"]
    if value is None:
        if definition["required"]:
            raise AttributeValueError("expected a value, got null", path)
        return None
    if kind == "string":
        if not isinstance(value, str):
            raise AttributeValueError("expected str", path)
        if len(value) > definition["max_length"]:
            raise AttributeValueError(
                f"length of value must be at most {definition['max_length']}"
                " for dictionary value", path)
        if len(value) < definition["min_length"]:
            raise AttributeValueError(
                f"length of value must be at least "
                f"{definition['min_length']} for dictionary value", path)
        return value
    if kind == "number":
        if not _is_real(value):
            raise AttributeValueError("expected a number", path)
        low, high = definition["min"], definition["max"]
        if (low is not None and value < low) \
                or (high is not None and value > high):
            raise AttributeValueError(
                f"value must be in [{low}, {high}]", path)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise AttributeValueError("expected bool", path)
        return value
    if kind == "uuid":
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise AttributeValueError(
                "badly formed hexadecimal UUID string for dictionary value",
                path) from None
    return format_datetime(parse_datetime(value, path))


def check_attributes(resource_type, body, partial=False):
    """The type's attributes of ``body``, validated and normalised.

    A required attribute missing from ``body`` is an error unless
    ``partial`` (a PATCH, which keeps the stored value).

    :raises AttributeValueError:
    """
    out = {}
    for name, definition in resource_type["attributes"].items():
        if name in body:
            out[name] = _check_value(definition, body[name], [name])
        elif definition["required"] and not partial:
            raise AttributeValueError("required key not provided", [name])
        elif not partial:
            out[name] = None
    return out


def parse_datetime(value, path):
    """An aware ``datetime`` from ISO 8601 text (naive is UTC) or epoch
    seconds.

    :raises AttributeValueError:
    """
    try:
        if _is_real(value):
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError, OverflowError, OSError):
        raise AttributeValueError(
            "expected an ISO 8601 timestamp or epoch seconds", path) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def format_datetime(moment):
    """Gnocchi's rendering: UTC, ``+00:00``, microseconds when non-zero."""
    return moment.astimezone(datetime.timezone.utc).isoformat()
