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
* an acknowledged ``add_measures`` survives a crash of the process.
"""
import abc


class StorageDriver(abc.ABC):
    """Abstract base class of the drivers in the ``statsvc.storage`` namespace.

    :param options: the ``[storage]`` section of the configuration, as a
        ``dict`` of strings (driver-specific keys such as ``data_dir`` or
        ``url``).
    """

    #: Name under which the driver is registered, for capabilities/status.
    name = None

    def __init__(self, options):
        self.options = dict(options)

    @abc.abstractmethod
    def create_metric(self, metric):
        """Store a new metric (a dict with at least ``id``); return it."""

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

    def check(self):
        """Raise :class:`StorageUnavailable` if the store cannot be reached."""

    def close(self):
        """Release connections and file handles."""
