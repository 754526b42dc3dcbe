"""The redis driver's documents (resources, archive policies, rules...),
with indexes on the fields resources are searched by.

Keys (:mod:`.redis_layout` names them; on a cluster all of a kind's carry
the tag ``{<kind>}``, one slot)::

    doc:<kind>            hash        name -> JSON document
    index:<kind>:<field>  sorted set  "<value>\\0<name>" for each document
                                      whose top-level <field> is a string
                                      (:data:`.base.INDEXED_FIELDS`)
    listing:<kind>        sorted set  "<revision_start>\\0<started_at>\\0<id>
                                      \\0<name>" for every document (a
                                      field not a string: empty), in
                                      :data:`.base.LISTING_ORDER`
    indexed:<kind>        string      the fields the indexes were built for

Every write is one Lua script that changes the document and its index
entries together, so no reader sees one without the other, on any host.
All scores are 0: a value's documents are a lexicographic range of the set
(``ZRANGEBYLEX``), found in O(log n + found) instead of reading every
document, and a listing in Gnocchi's default order reads the listing set
from its start only as far as a page goes.

Stores written before the indexes existed are indexed on first use: a
host that finds ``indexed:<kind>`` missing walks the hash with ``HSCAN``
and indexes each batch of names by script, then sets it. Redis is never
blocked for more than a batch; writes meanwhile keep the entries of the
documents they change, so the index is exact once the walk ends. Every
host must run this version before the first search or listing (a host
without it would write documents without their entries).
"""
import json

import orjson

from statsvc.storage.base import INDEXED_FIELDS, LISTING_ORDER
from statsvc.storage.exceptions import (
    DocumentAlreadyExists, DocumentConflict, DocumentNotFound)
from statsvc.storage.redis_connection import Script

# Shared by the scripts below. The indexes are KEYS[2..]: one per field
# of `fields`, then the listing. ARGV from `at` on is their spec: the
# counts of fields and of listing fields, then the names of both.
_ENTRIES = r"""
local function spec(at)
  local n, l = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  local fields, listing = {}, {}
  for i = 1, n do fields[i] = ARGV[at + 1 + i] end
  for i = 1, l do listing[i] = ARGV[at + 1 + n + i] end
  return fields, listing, at + 2 + n + l
end
local function value(doc, field)
  local v = doc[field]
  if type(v) == 'string' then return v end
  return nil
end
-- The entries of document `name` (JSON `text`, or nil), by index: a table
-- decoded from anything but a JSON object is indexed by name only.
local function entries(text, name, fields, listing)
  local out = {}
  if not text then return out end
  local ok, doc = pcall(cjson.decode, text)
  if not ok or type(doc) ~= 'table' then doc = {} end
  for i, field in ipairs(fields) do
    local v = value(doc, field)
    if v then out[i] = v .. '\0' .. name end
  end
  local parts = {}
  for i, field in ipairs(listing) do parts[i] = value(doc, field) or '' end
  parts[#parts + 1] = name
  out[#fields + 1] = table.concat(parts, '\0')
  return out
end
"""

# Writes document ARGV[2] of hash KEYS[1] and its index entries (spec from
# ARGV[5]). ARGV[1] is the mode: "create" (if missing), "replace" (if
# present), "cas" (if it still holds ARGV[4], the text read: -1 if it holds
# another) or "delete"; ARGV[3] the new text. 1 if written, 0 if missing
# (or, on create, present).
_WRITE = _ENTRIES + r"""
local name, mode = ARGV[2], ARGV[1]
local old = redis.call('HGET', KEYS[1], name)
if mode == 'create' then
  if old then return 0 end
elseif not old then return 0
elseif mode == 'cas' and old ~= ARGV[4] then return -1 end
local new = nil
if mode == 'delete' then
  redis.call('HDEL', KEYS[1], name)
else
  new = ARGV[3]
  redis.call('HSET', KEYS[1], name, new)
end
local fields, listing = spec(5)
local before = entries(old, name, fields, listing)
local after = entries(new, name, fields, listing)
for i = 2, #KEYS do
  local a, b = before[i - 1], after[i - 1]
  if a ~= b then
    if a then redis.call('ZREM', KEYS[i], a) end
    if b then redis.call('ZADD', KEYS[i], 0, b) end
  end
end
return 1
"""

# Indexes the documents named after the spec (from ARGV[1]) as they are
# now.
_INDEX = _ENTRIES + r"""
local fields, listing, first = spec(1)
for j = first, #ARGV do
  local name = ARGV[j]
  local found = entries(redis.call('HGET', KEYS[1], name), name, fields,
                        listing)
  for i = 2, #KEYS do
    if found[i - 1] then redis.call('ZADD', KEYS[i], 0, found[i - 1]) end
  end
end
return 1
"""

# The documents of hash KEYS[1] whose names the index KEYS[2] holds under
# the values ARGV[1..], each once.
_FIND = r"""
local docs, seen = {}, {}
for _, v in ipairs(ARGV) do
  local entries = redis.call('ZRANGEBYLEX', KEYS[2], '[' .. v .. '\0',
                             '(' .. v .. '\1')
  for _, entry in ipairs(entries) do
    local name = string.sub(entry, #v + 2)
    if not seen[name] then
      seen[name] = true
      local doc = redis.call('HGET', KEYS[1], name)
      if doc then docs[#docs + 1] = doc end
    end
  end
end
return docs
"""

#: Names indexed per script while a store is first indexed.
INDEX_BATCH = 500
#: Documents read per round trip of a listing.
LISTING_BATCH = 256
#: What the scripts index: see _ENTRIES.
_SPEC = [len(INDEXED_FIELDS), len(LISTING_ORDER), *INDEXED_FIELDS,
         *LISTING_ORDER]
_BUILT = ",".join(INDEXED_FIELDS) + ";" + ",".join(LISTING_ORDER)


class Documents:
    """The documents of a store, through ``client`` (a Redis or cluster
    client) and ``layout``; ``acknowledged()`` gives the client of a write
    (:meth:`.redis_connection.Client.acknowledged`) and ``errors()`` maps
    Redis' errors to :class:`.StorageUnavailable`."""

    def __init__(self, client, layout, acknowledged, errors):
        self.client = client
        self.layout = layout
        self.acknowledged = acknowledged
        self.errors = errors
        self._write_script = Script(client, _WRITE)
        self._index_script = Script(client, _INDEX)
        self._find_script = Script(client, _FIND)
        self._indexed = set()  # kinds seen indexed

    def _keys(self, kind):
        """The hash of ``kind``, then its indexes as _SPEC orders them."""
        return [self.layout.doc_key(kind)] + [
            self.layout.index_key(kind, field) for field in INDEXED_FIELDS
        ] + [self.layout.listing_key(kind)]

    def _write(self, mode, kind, name, text=b"", expected=b""):
        with self.errors(), self.acknowledged() as client:
            return self._write_script(
                keys=self._keys(kind),
                args=[mode, name, text, expected, *_SPEC], client=client)

    def create(self, kind, name, doc):
        if not self._write("create", kind, name, json.dumps(doc)) \
                and not self._holds(kind, name, doc):
            raise DocumentAlreadyExists(kind, name)

    def _holds(self, kind, name, doc):
        """Whether the store holds ``doc`` as ``name``: a write refused
        where the client retried it after a lost reply (its first attempt
        may be what refuses the retry) is this write, done."""
        with self.errors():
            stored = self.client.hget(self.layout.doc_key(kind), name)
        return stored is not None and orjson.loads(stored) == orjson.loads(
            json.dumps(doc))

    def get(self, kind, name):
        with self.errors():
            doc = self.client.hget(self.layout.doc_key(kind), name)
        if doc is None:
            raise DocumentNotFound(kind, name)
        return orjson.loads(doc)

    def list(self, kind):
        with self.errors():
            docs = self.client.hvals(self.layout.doc_key(kind))
        return [orjson.loads(doc) for doc in docs]

    def find(self, kind, field, values):
        """The documents of ``kind`` whose ``field``, one of
        :data:`.base.INDEXED_FIELDS`, is one of the strings ``values``."""
        values = set(values)
        if not values:
            return []
        self._ensure_indexed(kind)
        with self.errors():
            texts = self._find_script(
                keys=[self.layout.doc_key(kind),
                      self.layout.index_key(kind, field)],
                args=sorted(values))
        # A value holding "\0" may bring another value's names: the index
        # narrows, the documents decide.
        return [doc for doc in map(orjson.loads, texts)
                if isinstance(doc.get(field), str) and doc[field] in values]

    def _ensure_indexed(self, kind):
        """Index the documents of ``kind`` if no host did yet."""
        if kind in self._indexed:
            return
        marker = self.layout.indexed_key(kind)
        with self.errors():
            if self.client.get(marker) != _BUILT.encode():
                self._index_all(kind)
                self.client.set(marker, _BUILT)
        self._indexed.add(kind)

    def _index_all(self, kind):
        keys, names = self._keys(kind), []
        # (HSCAN's NOVALUES needs Redis 7.4.)
        for name, _ in self.client.hscan_iter(keys[0], count=INDEX_BATCH):
            names.append(name)
            if len(names) == INDEX_BATCH:
                self._index_names(keys, names)
                names = []
        if names:
            self._index_names(keys, names)

    def _index_names(self, keys, names):
        self._index_script(keys=keys, args=[*_SPEC, *names])

    def listed(self, kind):
        """Iterate over the documents of ``kind`` in the order
        :data:`.base.LISTING_SORT` (a null field is an empty string in the
        entry, before every value), a batch of them read at a time (a
        document written meanwhile may be seen as it was or as it is, at
        its place then)."""
        self._ensure_indexed(kind)
        listing, after = self.layout.listing_key(kind), b"-"
        while True:
            with self.errors():
                entries = self.client.zrangebylex(listing, after, b"+", 0,
                                                  LISTING_BATCH)
                names = [e.split(b"\0", len(LISTING_ORDER))[-1]
                         for e in entries]
                texts = self.client.hmget(self.layout.doc_key(kind),
                                          names) if names else []
            yield from (orjson.loads(t) for t in texts if t is not None)
            if len(entries) < LISTING_BATCH:
                return
            after = b"(" + entries[-1]

    def replace(self, kind, name, doc, expected=None):
        text = json.dumps(doc)
        if expected is None:
            replaced = self._write("replace", kind, name, text)
        else:
            # Compared as documents, then swapped only if the text read is
            # still there: the stored text may be spelled differently (an
            # older version wrote it).
            with self.errors():
                stored = self.client.hget(self.layout.doc_key(kind), name)
            if stored is not None and orjson.loads(stored) != expected:
                raise DocumentConflict(kind, name)
            replaced = self._write("cas", kind, name, text, stored or b"")
        if replaced == -1 and not self._holds(kind, name, doc):
            raise DocumentConflict(kind, name)
        if not replaced:
            raise DocumentNotFound(kind, name)

    def delete(self, kind, name):
        if not self._write("delete", kind, name):
            raise DocumentNotFound(kind, name)
