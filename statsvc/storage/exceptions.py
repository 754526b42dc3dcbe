"""Errors raised by storage drivers; the API maps each to one HTTP status."""


class StorageError(Exception):
    """Base class of every storage error."""


class MetricNotFound(StorageError):
    """The metric does not exist (HTTP 404)."""

    def __init__(self, metric_id):
        super().__init__(f"metric {metric_id} does not exist")
        self.metric_id = metric_id


class StorageUnavailable(StorageError):
    """The backing store cannot be reached (HTTP 503)."""


class MetricAlreadyExists(StorageError):
    """A metric with this id exists already (HTTP 409)."""

    def __init__(self, metric_id):
        super().__init__(f"metric {metric_id} already exists")
        self.metric_id = metric_id


class DocumentNotFound(StorageError):
    """No document of this kind has this name."""

    def __init__(self, kind, name):
        super().__init__(f"{kind} {name} does not exist")
        self.kind = kind
        self.name = name


class DocumentAlreadyExists(StorageError):
    """A document of this kind has this name already."""

    def __init__(self, kind, name):
        super().__init__(f"{kind} {name} already exists")
        self.kind = kind
        self.name = name


class DocumentConflict(StorageError):
    """A compare-and-swap lost: the document changed since it was read."""

    def __init__(self, kind, name):
        super().__init__(f"{kind} {name} changed since it was read")
        self.kind = kind
        self.name = name


class UnknownDriver(StorageError):
    """No storage driver is installed under the configured name."""

    def __init__(self, name, installed):
        super().__init__(
            f"unknown storage driver {name!r}; installed drivers: "
            f"{', '.join(installed) or 'none'}")
        self.name = name
        self.installed = installed
