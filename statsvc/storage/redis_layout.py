"""Where the Redis driver keeps each thing, on one Redis or a Redis Cluster.

On one Redis (:class:`SingleLayout`) the layout is the one stores have
always had, so that existing stores open as they are::

    metrics            hash  id -> metric JSON document
    meta:<id>, chunks:<id>, data:<id>:<chunk>, tail:<id>:<chunk>,
    archive:<id>:<grain>     the metric's state, series and archives
    doc:<kind>         hash  name -> JSON document

On a Redis Cluster (:class:`ClusterLayout`) a transaction may only touch
keys of one hash slot, so every key of a metric carries the hash tag
``{<id>}`` (``meta:{<id>}``, ``data:{<id>}:<chunk>``...) and the metric's
document is the string ``metric:{<id>}`` beside them, instead of a field of
one shared hash that would put every write on one shard. Listing metrics
scans every primary for ``metric:{*}``. Documents stay one hash per kind,
tagged ``doc:{<kind>}``: the kinds spread over the shards, creating one is
still one atomic script, and listing a kind still reads one hash
(documents are few and small beside the metrics' points). A kind's indexes
carry its tag too (``index:{<kind>}:<field>``): a script changes a document
and its index entries in one slot.
"""
import orjson


class SingleLayout:
    """The key names of a store on one Redis.

    :param prefix: the ``key_prefix`` option, before every key.
    """

    def __init__(self, prefix):
        self.prefix = prefix

    def tag(self, metric_id):
        """The part of a metric's key names that names the metric."""
        return metric_id

    def meta_key(self, metric_id):
        return f"{self.prefix}meta:{self.tag(metric_id)}"

    def chunks_key(self, metric_id):
        return f"{self.prefix}chunks:{self.tag(metric_id)}"

    def data_key(self, metric_id, chunk=""):
        return f"{self.prefix}data:{self.tag(metric_id)}:{chunk}"

    def tail_key(self, metric_id, chunk=""):
        return f"{self.prefix}tail:{self.tag(metric_id)}:{chunk}"

    def archive_key(self, metric_id, grain):
        return f"{self.prefix}archive:{self.tag(metric_id)}:{grain}"

    def doc_key(self, kind):
        return f"{self.prefix}doc:{kind}"

    def index_key(self, kind, field):
        """The index of the documents of ``kind`` by ``field``."""
        return f"{self.prefix}index:{kind}:{field}"

    def listing_key(self, kind):
        """The documents of ``kind`` in their listing order."""
        return f"{self.prefix}listing:{kind}"

    def indexed_key(self, kind):
        """Which fields the indexes of ``kind`` were built for."""
        return f"{self.prefix}indexed:{kind}"

    def metrics_key(self):
        """The hash of every metric's document."""
        return self.prefix + "metrics"

    def metric_doc_key(self, metric_id):
        """The key to watch for changes of a metric's document."""
        return self.metrics_key()

    def put_metric(self, pipe, metric_id, doc):
        """Queue the write of a metric's document (JSON text)."""
        pipe.hset(self.metrics_key(), metric_id, doc)

    def get_metric(self, client, metric_id):
        """The metric's document (JSON bytes), or ``None``."""
        return client.hget(self.metrics_key(), metric_id)

    def drop_metric(self, pipe, metric_id):
        """Queue the deletion of a metric's document."""
        pipe.hdel(self.metrics_key(), metric_id)

    def list_metrics(self, client):
        """Every metric's document, decoded."""
        return [orjson.loads(doc) for doc in client.hvals(self.metrics_key())]


class ClusterLayout(SingleLayout):
    """The key names of a store on a Redis Cluster."""

    def __init__(self, prefix):
        if "{" in prefix or "}" in prefix:
            # Redis would hash the prefix's braces instead of the metric's.
            raise ValueError("a Redis Cluster key_prefix cannot hold { or }")
        super().__init__(prefix)

    def tag(self, metric_id):
        return "{" + metric_id + "}"

    def doc_key(self, kind):
        return f"{self.prefix}doc:{{{kind}}}"

    def index_key(self, kind, field):
        return f"{self.prefix}index:{{{kind}}}:{field}"

    def listing_key(self, kind):
        return f"{self.prefix}listing:{{{kind}}}"

    def indexed_key(self, kind):
        return f"{self.prefix}indexed:{{{kind}}}"

    def metric_doc_key(self, metric_id):
        return f"{self.prefix}metric:{self.tag(metric_id)}"

    def put_metric(self, pipe, metric_id, doc):
        pipe.set(self.metric_doc_key(metric_id), doc)

    def get_metric(self, client, metric_id):
        return client.get(self.metric_doc_key(metric_id))

    def drop_metric(self, pipe, metric_id):
        pipe.delete(self.metric_doc_key(metric_id))

    def list_metrics(self, client):
        # SCAN of a cluster client walks every primary in turn.
        keys = list(client.scan_iter(match=f"{self.prefix}metric:{{*}}",
                                     count=1000))
        docs = client.mget_nonatomic(keys) if keys else []
        # A metric deleted between SCAN and MGET reads as None.
        return [orjson.loads(doc) for doc in docs if doc is not None]
