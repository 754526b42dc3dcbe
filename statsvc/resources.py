"""Resources as Gnocchi 4.x models them, without HTTP.

A resource is a JSON document: ``id`` (a UUID), ``original_resource_id``
(what the client sent), ``type``, ``creator``, ``user_id``,
``project_id``, ``started_at``, ``ended_at``, ``revision_start``,
``revision_end`` (always null: one revision is kept), ``metrics`` (name →
metric id) and its type's attributes.
"""
import datetime
import uuid

from statsvc import resource_type as types

# Gnocchi's namespace for ids that are not UUIDs: the same id maps to the
# same UUID on both, so a client can move from one to the other.
_NAMESPACE = uuid.UUID("0a7a15ff-aa13-4ac2-897c-9bdf30ce175b")

_COMMON = ("user_id", "project_id", "started_at", "ended_at", "metrics")


class ResourceError(ValueError):
    """Invalid resource input at ``path`` (a list of keys)."""

    def __init__(self, message, path=()):
        super().__init__(message)
        self.path = list(path)


def resource_uuid(value, creator):
    """The UUID string a resource id maps to, as Gnocchi maps it: a UUID
    stays itself, any other string of at most 289 characters becomes a
    UUID5 of it and its creator.

    :raises ResourceError: for ``/`` or over 289 characters.
    """
    if not isinstance(value, str):
        raise ResourceError("expected str", ["id"])
    if "/" in value:
        raise ResourceError("'/' is not supported in resource id", ["id"])
    try:
        return str(uuid.UUID(value))
    except ValueError:
        pass
    if len(value) > 289:
        raise ResourceError("transformable resource id >289 max allowed"
                            " characters for dictionary value", ["id"])
    return str(uuid.uuid5(_NAMESPACE, value + "\x00" + (creator or "\x00")))


def now():
    """The current time as Gnocchi renders it."""
    return types.format_datetime(
        datetime.datetime.now(datetime.timezone.utc))


def _optional_str(body, key, out):
    if key in body:
        value = body[key]
        if value is not None and not isinstance(value, str):
            raise ResourceError("expected str or null", [key])
        out[key] = value


def _fields(resource_type, body, partial):
    """The common fields and attributes of ``body``, checked; ``metrics``
    is left to the caller."""
    extra = sorted(set(body) - set(_COMMON) - {"id"}
                   - set(resource_type["attributes"]))
    if extra:
        raise ResourceError("extra keys not allowed", [extra[0]])
    out = {}
    _optional_str(body, "user_id", out)
    _optional_str(body, "project_id", out)
    for key in ("started_at", "ended_at"):
        if key in body:
            value = body[key]
            out[key] = None if value is None else types.format_datetime(
                types.parse_datetime(value, [key]))
    out.update(types.check_attributes(resource_type, body, partial))
    if "metrics" in body and not isinstance(body["metrics"], dict):
        raise ResourceError("expected a dictionary", ["metrics"])
    return out


def _check_period(resource):
    start, end = resource.get("started_at"), resource.get("ended_at")
    if start is not None and end is not None and \
            types.parse_datetime(end, []) < types.parse_datetime(start, []):
        raise ResourceError("Start timestamp cannot be after end timestamp")


def new_resource(resource_type, body, creator):
    """The document of a new resource from a ``POST`` body (its
    ``metrics`` still empty).

    :raises ResourceError:
    :raises statsvc.resource_type.AttributeValueError:
    """
    if not isinstance(body, dict):
        raise ResourceError("expected a dictionary")
    if "id" not in body:
        raise ResourceError("required key not provided", ["id"])
    stamp = now()
    resource = {
        "id": resource_uuid(body["id"], creator),
        "original_resource_id": body["id"],
        "type": resource_type["name"], "creator": creator,
        "created_by_user_id": creator, "created_by_project_id": None,
        "user_id": None, "project_id": None,
        "started_at": stamp, "ended_at": None,
        "revision_start": stamp, "revision_end": None, "metrics": {},
    }
    resource.update(_fields(resource_type, body, partial=False))
    if resource["started_at"] is None:
        resource["started_at"] = stamp
    _check_period(resource)
    return resource


def patched(resource_type, resource, body):
    """``resource`` with a ``PATCH`` body applied (``metrics`` excepted),
    and whether anything but the metrics changed.

    :raises ResourceError:
    :raises statsvc.resource_type.AttributeValueError:
    """
    if not isinstance(body, dict):
        raise ResourceError("expected a dictionary")
    if "id" in body:
        raise ResourceError("extra keys not allowed", ["id"])
    changes = _fields(resource_type, body, partial=True)
    updated = dict(resource, **changes)
    _check_period(updated)
    changed = any(resource.get(k) != v for k, v in changes.items())
    if changed:
        updated["revision_start"] = now()
    return updated, changed
