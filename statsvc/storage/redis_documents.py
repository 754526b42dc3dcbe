"""The redis driver's documents (resources, archive policies, rules...),
with indexes on the fields resources are searched by.

Keys (:mod:`.redis_layout` names them; on a cluster all of a kind's carry
the tag ``{<kind>}``, one slot)::

    doc:<kind>            hash        name -> JSON document
    index:<kind>:<field>  sorted set  "<value>\\0<name>" for each document
                                      whose top-level <field> is a string
                                      (:data:`.base.INDEXED_FIELDS`)
    indexed:<kind>        string      the fields the indexes were built for

Every write is one Lua script that changes the document and its index
entries together, so no reader sees one without the other, on any host.
All scores are 0: a value's documents are a lexicographic range of the set
(``ZRANGEBYLEX``), found in O(log n + found) instead of reading every
document.

Stores written before the indexes existed are indexed on first use: a
host that finds ``indexed:<kind>`` missing walks the hash with ``HSCAN``
and indexes each batch of names by script, then sets it. Redis is never
blocked for more than a batch; writes meanwhile keep the entries of the
documents they change, so the index is exact once the walk ends. Every
host must run this version before the first search (a host without it
would write documents without their entries).
"""
import json

import orjson

from statsvc.storage.base import INDEXED_FIELDS
from statsvc.storage.exceptions import (
    DocumentAlreadyExists, DocumentConflict, DocumentNotFound)
from statsvc.storage.redis_connection import Script

# What decodes a document in the scripts below: a table for a JSON object,
# else nil (a document written by something else is not indexed).
_DECODE = r"""
local function decoded(text)
  if not text then return {} end
  local ok, doc = pcall(cjson.decode, text)
  if ok and type(doc) == 'table' then return doc end
  return {}
end
local function value(doc, field)
  local v = doc[field]
  if type(v) == 'string' then return v end
  return nil
end
"""

# Writes document ARGV[2] of hash KEYS[1] and its entries in the indexes
# KEYS[2..] (of the fields ARGV[5..]). ARGV[1] is the mode: "create" (if
# missing), "replace" (if present), "cas" (if it still holds ARGV[4], the
# text read: -1 if it holds another) or "delete"; ARGV[3] the new text.
# 1 if written, 0 if missing (or, on create, present).
_WRITE = _DECODE + r"""
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
local before, after = decoded(old), decoded(new)
for i = 2, #KEYS do
  local field = ARGV[i + 3]
  local a, b = value(before, field), value(after, field)
  if a ~= b then
    if a then redis.call('ZREM', KEYS[i], a .. '\0' .. name) end
    if b then redis.call('ZADD', KEYS[i], 0, b .. '\0' .. name) end
  end
end
return 1
"""

# Indexes the documents ARGV[1..] of hash KEYS[1] as they are now, in the
# indexes KEYS[2..] of the fields ARGV[n + 1..] (n = #KEYS - 1 names
# follow the fields' count in ARGV[1]).
_INDEX = _DECODE + r"""
local fields = tonumber(ARGV[1])
for j = fields + 2, #ARGV do
  local name = ARGV[j]
  local doc = decoded(redis.call('HGET', KEYS[1], name))
  for i = 2, #KEYS do
    local v = value(doc, ARGV[i])
    if v then redis.call('ZADD', KEYS[i], 0, v .. '\0' .. name) end
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
_BUILT = ",".join(INDEXED_FIELDS)


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

    def _write(self, mode, kind, name, text=b"", expected=b""):
        keys = [self.layout.doc_key(kind)] + [
            self.layout.index_key(kind, field) for field in INDEXED_FIELDS]
        with self.errors(), self.acknowledged() as client:
            return self._write_script(
                keys=keys, args=[mode, name, text, expected, *INDEXED_FIELDS],
                client=client)

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
                if doc.get(field) in values]

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
        doc_key = self.layout.doc_key(kind)
        keys = [doc_key] + [self.layout.index_key(kind, field)
                            for field in INDEXED_FIELDS]
        names = []
        # (HSCAN's NOVALUES needs Redis 7.4.)
        for name, _ in self.client.hscan_iter(doc_key, count=INDEX_BATCH):
            names.append(name)
            if len(names) == INDEX_BATCH:
                self._index_names(keys, names)
                names = []
        if names:
            self._index_names(keys, names)

    def _index_names(self, keys, names):
        self._index_script(
            keys=keys, args=[len(INDEXED_FIELDS), *INDEXED_FIELDS, *names])

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
