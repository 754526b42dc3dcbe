"""Past revisions of resources, kept as one storage document per resource.

A change to a resource's own fields or attributes (not to its metrics, as
in Gnocchi) closes the current revision: its copy, with ``revision_end``
set to the new revision's ``revision_start``, is appended here.
"""
from statsvc.storage import DocumentAlreadyExists, DocumentNotFound

KIND = "resource_history"


def record(storage, previous, revision_end):
    """Keep ``previous`` as a closed revision."""
    closed = dict(previous, revision_end=revision_end)
    try:
        storage.create_document(KIND, previous["id"], {"revisions": [closed]})
    except DocumentAlreadyExists:  # appended to, whatever others append
        storage.update_document(KIND, previous["id"], lambda doc: dict(
            doc, revisions=[*doc["revisions"], closed]))


def all_revisions(storage, resources):
    """Every revision of each of ``resources``, and a function giving a
    revision's marker as Gnocchi writes them: ``<id>@<n>`` for its ``n``-th
    past revision (1 the oldest), ``<id>@-1`` for the current one."""
    past = {doc["revisions"][0]["id"]: doc["revisions"]
            for doc in storage.list_documents(KIND) if doc["revisions"]}
    out, markers = [], {}
    for resource in resources:
        for n, revision in enumerate(past.get(resource["id"], []), 1):
            out.append(revision)
            markers[id(revision)] = f"{resource['id']}@{n}"
        out.append(resource)
        markers[id(resource)] = f"{resource['id']}@-1"
    return out, lambda revision: markers[id(revision)]


def forget(storage, resource_id):
    """Drop the past revisions of a deleted resource."""
    try:
        storage.delete_document(KIND, resource_id)
    except DocumentNotFound:
        pass
