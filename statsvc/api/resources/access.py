"""Which resources a user sees."""
from statsvc import search
from statsvc.api.errors import ApiError
from statsvc.storage import DocumentNotFound
from statsvc.storage.base import sort_documents

RESOURCE = "resource"


def may_see(user, resource):
    """The creator, the resource's ``user_id`` and admins see it."""
    return user.is_admin or user.name in (resource.get("creator"),
                                          resource.get("user_id"))


def candidates(request, type_name, query=search.EVERYTHING):
    """The resource documents that may be of ``type_name``, visible to the
    user and matched by ``query`` (a :class:`statsvc.search.Query`): found
    through the store's indexes where the query, the type or the user
    narrows them. Callers still test each one."""
    storage = request.storage
    if query.index is not None:
        return storage.find_documents(RESOURCE, *query.index)
    if type_name != "generic":
        return storage.find_documents(RESOURCE, "type", [type_name])
    user = request.user
    if not user.is_admin:
        return list({r["id"]: r for field in ("creator", "user_id")
                     for r in storage.find_documents(
                         RESOURCE, field, [user.name])}.values())
    return storage.list_documents(RESOURCE)


def sorted_candidates(request, type_name, order, query=search.EVERYTHING):
    """:func:`candidates` in ``order`` (as
    :func:`statsvc.storage.base.sort_documents` takes it), read from the
    store as they are iterated where it sorts them."""
    storage = request.storage
    if query.index is not None:
        return storage.sorted_documents(RESOURCE, order, *query.index)
    if type_name != "generic":
        return storage.sorted_documents(RESOURCE, order, "type", [type_name])
    if not request.user.is_admin:
        # Two lookups (creator, user_id): merged, then sorted here.
        return iter(sort_documents(candidates(request, type_name), order))
    return storage.sorted_documents(RESOURCE, order)


def get_resource(request, type_name, resource_id):
    """The resource if ``request.user`` may see it and it is of
    ``type_name`` (``generic`` is every type); else a 404."""
    try:
        resource = None if resource_id is None else \
            request.storage.get_document(RESOURCE, resource_id)
    except DocumentNotFound:
        resource = None
    if resource is None or not may_see(request.user, resource) or \
            type_name not in ("generic", resource["type"]):
        raise ApiError(404, f"Resource {resource_id} does not exist")
    return resource
