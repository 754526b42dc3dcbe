"""The storage driver interface.

A metric is a plain ``dict`` of JSON-able metadata; its ``id`` is a UUID
string chosen by the API. Its series is two numpy arrays of equal length:
timestamps as ``int64`` nanoseconds since the epoch (UTC) and values as
``float64``, sorted by timestamp, one value per timestamp.

Semantics every driver keeps:

* a point at an existing timestamp replaces the old value (last write wins);
* out-of-order points are accepted and stored in order;
* when the metric's ``timespan_ns`` is set, points older than
  ``newest - timespan_ns`` are dropped when measures are added;
* when the metric has a ``rollup`` spec (:mod:`.rollup`), its archives are
  updated in the transaction of each write, raw points are kept only while
  a write may still change their buckets, and points older than that are
  ignored;
* an acknowledged ``add_measures`` survives a crash of the process.

Drivers also keep small named *documents* (JSON-able dicts) in collections
(``kind``, e.g. archive policies and their rules), so that every API host
sharing the store sees the same ones.
"""
import abc
import copy

from statsvc.storage import series
from statsvc.storage.exceptions import DocumentConflict

#: The top-level document fields drivers index for :meth:`find_documents`:
#: those resources are searched and listed by.
INDEXED_FIELDS = ("id", "type", "creator", "user_id", "project_id",
                  "original_resource_id")
#: The order resources are listed in unless told (Gnocchi's): drivers may
#: keep an index for :meth:`StorageDriver.sorted_documents` in it.
LISTING_ORDER = ("revision_start", "started_at", "id")
#: That order as :meth:`StorageDriver.sorted_documents` takes it: each field
#: ascending, nulls first.
LISTING_SORT = [(field, False, False) for field in LISTING_ORDER]


class StorageDriver(abc.ABC):
    """Abstract base class of the drivers in the ``statsvc.storage`` namespace.

    :param options: the ``[storage]`` section of the configuration, as a
        ``dict`` of strings (driver-specific keys such as ``data_dir`` or
        ``url``). Common to all drivers: ``chunk_seconds``, the time span of
        the chunks a series is stored in (default one day; see
        :data:`.series.DEFAULT_CHUNK_NS`).
    """

    #: Name under which the driver is registered, for capabilities/status.
    name = None

    def __init__(self, options):
        self.options = dict(options)
        seconds = float(self.options.get("chunk_seconds") or 0)
        #: Time span of the chunks of metrics created from now on; each
        #: metric keeps the span it was created with.
        self.chunk_ns = (round(seconds * 10**9) if seconds > 0
                         else series.DEFAULT_CHUNK_NS)

    @abc.abstractmethod
    def create_metric(self, metric):
        """Store a new metric (a dict with at least ``id``); return it.

        :raises MetricAlreadyExists: if a metric has this ``id``.
        """

    @abc.abstractmethod
    def get_metric(self, metric_id):
        """Return the metric dict; raise :class:`MetricNotFound`."""

    @abc.abstractmethod
    def list_metrics(self):
        """Return every metric dict, in no particular order."""

    @abc.abstractmethod
    def delete_metric(self, metric_id):
        """Delete a metric and all its measures; raise :class:`MetricNotFound`."""

    @abc.abstractmethod
    def relabel_metric(self, metric_id, name, resource_id):
        """Set a metric's ``name`` and ``resource_id`` (``None``: detached)
        in its dict, as a resource takes or lets go of it.

        :raises MetricNotFound:
        """

    @abc.abstractmethod
    def set_rollup(self, metric_id, spec):
        """Give a metric a new rollup spec (:mod:`.rollup`), in its dict
        too. A metric that had none (stored raw by an earlier version) gets
        every archive computed from its raw points, in one transaction.

        :raises MetricNotFound:
        """

    @abc.abstractmethod
    def get_archive(self, metric_id, granularity_ns, method, start=None,
                    stop=None):
        """Return ``(bucket_starts, values)`` of one archive of a metric
        with a rollup spec: buckets starting in ``[start, stop)``, within
        the granularity's ``points`` newest. Empty arrays when the metric
        has no such archive.

        :raises MetricNotFound:
        """

    @abc.abstractmethod
    def add_measures(self, batch):
        """Add measures to one or more metrics, all or nothing.

        :param batch: ``{metric_id: (timestamps_int64_ns, values_float64)}``;
            arrays need not be sorted and may repeat timestamps (the last
            occurrence wins).
        :raises MetricNotFound: if any metric is missing; nothing is written.
        """

    @abc.abstractmethod
    def get_measures(self, metric_id, start=None, stop=None):
        """Return ``(timestamps, values)`` for ``start <= t < stop``.

        ``start``/``stop`` are int nanoseconds since the epoch, or ``None``
        for unbounded. Only the stored chunks overlapping the range are read.
        :raises MetricNotFound:
        """

    @abc.abstractmethod
    def create_document(self, kind, name, doc):
        """Store ``doc`` as ``name`` in collection ``kind`` if no document
        has that name there, atomically across processes and hosts.

        :raises DocumentAlreadyExists: if it has; nothing is changed.
        """

    @abc.abstractmethod
    def get_document(self, kind, name):
        """Return the document; raise :class:`DocumentNotFound`."""

    @abc.abstractmethod
    def list_documents(self, kind):
        """Return every document of ``kind``, in no particular order."""

    def sorted_documents(self, kind, order, field=None, values=()):
        """Iterate over the documents of ``kind`` (those whose ``field`` is
        one of the strings ``values``, when ``field`` is given) in
        ``order``, a list of ``(field, descending, nulls_last)`` on
        top-level fields (:func:`sort_documents`). Drivers that can sort in
        the store override this to read only as far as the caller
        iterates; this one sorts them all in memory."""
        docs = self.list_documents(kind) if field is None else \
            self.find_documents(kind, field, values)
        return iter(sort_documents(docs, order))

    def find_documents(self, kind, field, values):
        """Return the documents of ``kind`` whose top-level ``field`` is one
        of the strings ``values``. Drivers with indexes override this; this
        one reads every document."""
        values = set(values)
        return [doc for doc in self.list_documents(kind)
                if isinstance(doc.get(field), str) and doc[field] in values]

    @abc.abstractmethod
    def replace_document(self, kind, name, doc, expected=None):
        """Replace an existing document; raise :class:`DocumentNotFound`.

        With ``expected`` (the document as the caller read it), a
        compare-and-swap: ``doc`` is stored only if the stored document
        still equals ``expected``, atomically across processes and hosts;
        else :class:`DocumentConflict` is raised and nothing changes.
        """

    def update_document(self, kind, name, change):
        """Replace a document by ``change(doc)``, ``doc`` being a copy of
        the stored one, and return the new document. When another writer
        changes it meanwhile, ``change`` runs again on the new version, so
        that no concurrent update is lost (``change`` must not have side
        effects; what it raises propagates).

        :raises DocumentNotFound:
        """
        while True:
            doc = self.get_document(kind, name)
            new = change(copy.deepcopy(doc))
            try:
                self.replace_document(kind, name, new, expected=doc)
                return new
            except DocumentConflict:
                continue  # another writer won this round: it made progress

    @abc.abstractmethod
    def delete_document(self, kind, name):
        """Delete a document; raise :class:`DocumentNotFound`."""

    def check(self):
        """Raise :class:`StorageUnavailable` if the store cannot be reached."""

    def close(self):
        """Release connections and file handles."""


def sort_documents(docs, order):
    """``docs`` sorted by ``order``, a list of ``(field, descending,
    nulls_last)``, most significant first: a missing field or ``null``
    comes first or last as ``nulls_last`` says; values compare as Python
    compares them (strings by code point, as SQLite's ``BINARY``)."""
    docs = list(docs)
    for field, descending, nulls_last in reversed(order):
        # Stable sorts, least significant key first.
        present = [d for d in docs if d.get(field) is not None]
        absent = [d for d in docs if d.get(field) is None]
        present.sort(key=lambda d: d[field], reverse=descending)
        docs = present + absent if nulls_last else absent + present
    return docs


def retention_of(metric):
    """Return the metric's ``timespan_ns`` as a positive int, or ``None``.

    :raises ValueError: if it is set but not positive.
    """
    timespan = metric.get("timespan_ns")
    if timespan is None:
        return None
    timespan = int(timespan)
    if timespan <= 0:
        raise ValueError("timespan_ns must be positive")
    return timespan
