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
        doc = storage.get_document(KIND, previous["id"])
    except DocumentNotFound:
        try:
            storage.create_document(KIND, previous["id"],
                                    {"revisions": [closed]})
            return
        except DocumentAlreadyExists:  # a concurrent change: append to it
            doc = storage.get_document(KIND, previous["id"])
    doc["revisions"].append(closed)
    storage.replace_document(KIND, previous["id"], doc)


def revisions(storage, resource):
    """Every revision of ``resource``, oldest first, itself last."""
    try:
        past = storage.get_document(KIND, resource["id"])["revisions"]
    except DocumentNotFound:
        past = []
    return [*past, resource]


def all_revisions(storage, resources):
    """Every revision of each of ``resources``."""
    past = {doc_id: doc for doc_id, doc in
            ((d["revisions"][0]["id"], d)
             for d in storage.list_documents(KIND))}
    out = []
    for resource in resources:
        out += past.get(resource["id"], {"revisions": []})["revisions"]
        out.append(resource)
    return out


def forget(storage, resource_id):
    """Drop the past revisions of a deleted resource."""
    try:
        storage.delete_document(KIND, resource_id)
    except DocumentNotFound:
        pass
