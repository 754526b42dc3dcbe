"""Storage drivers: the interface (:mod:`.base`) and its implementations.

Drivers are plugins in the ``statsvc.storage`` entry-point namespace, loaded
with :class:`statsvc.ext.DriverManager` by :func:`load_driver`.
"""
from statsvc.storage.base import StorageDriver  # noqa: F401
from statsvc.storage.exceptions import (  # noqa: F401
    DocumentAlreadyExists, DocumentConflict, DocumentNotFound,
    MetricAlreadyExists, MetricNotFound, StorageError, StorageUnavailable,
    UnknownDriver)
from statsvc.storage.loader import load_driver  # noqa: F401
