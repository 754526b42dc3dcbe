"""Find the entry points of the installed distributions, with a disk cache.

The scan follows importlib.metadata (and so stevedore): every ``sys.path``
entry in order, its ``*.dist-info`` / ``*.egg-info`` folders in directory
order, the first distribution of each (normalized) name wins.

Reading 500 ``entry_points.txt`` files on every start is the cost, so the
result is cached in ``$XDG_CACHE_HOME/statsvc/`` (``~/.cache/statsvc/``),
one file per interpreter and ``sys.path``.  Each cache file holds the
*fingerprint* it was built from: the ``mtime_ns``/``ctime_ns``/inode of
every ``sys.path`` directory and the ``mtime_ns``/``ctime_ns``/size/inode
of every metadata folder's ``entry_points.txt``.  The fingerprint is
recomputed (a ``scandir`` and a ``stat`` per distribution) before every
use, so installing, upgrading or removing anything, or editing an
``entry_points.txt``, is seen at once.  ``STATSVC_EXT_CACHE=0`` turns the
disk cache off.
"""
import json
import os
import re
import stat
import sys
import time
import zlib

from . import _log
from ._entrypoint import Distribution
from ._entrypoint import EntryPoint

LOG = _log.Logger(__name__)

#: Bump when the layout of the cache file changes.
FORMAT = 1

_METADATA_SUFFIXES = ('.dist-info', '.egg-info')

# A file changed again in the same clock tick as the scan that read it
# keeps its timestamps, so a scan that young is not written to disk (the
# "racy" case git also guards against).  Timestamps that are whole seconds
# betray a coarse file system, where the tick is up to two seconds.
_RACY_NS = 50_000_000
_COARSE_RACY_NS = 2_000_000_000


def _normalize(name):
    """importlib.metadata's ``Prepared.normalize``."""
    return re.sub(r'[-_.]+', '_', name).lower()


def cache_dir():
    """``$XDG_CACHE_HOME/statsvc`` or ``~/.cache/statsvc``."""
    base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')
    return os.path.join(base, 'statsvc')


def cache_enabled():
    """False when the environment says ``STATSVC_EXT_CACHE=0``."""
    return os.environ.get('STATSVC_EXT_CACHE', '1').lower() not in (
        '0', 'false', 'no', 'off')


def _stamp(st):
    return f'{st.st_mtime_ns}.{st.st_ctime_ns}.{st.st_size}.{st.st_ino}'


class _Survey:
    """The metadata folders on the path, in importlib.metadata's order, and
    the fingerprint of everything the scan would read."""

    def __init__(self, path):
        self.started_ns = time.time_ns()
        self.candidates = []  # (normalized name, folder) or (None, zip file)
        self.newest_ns = 0
        self.coarse = True
        parts = [sys.executable, sys.version, str(FORMAT)]
        for entry in path:
            root = entry if entry else os.getcwd()
            try:
                st = os.stat(root)
            except OSError:
                parts.append(f'{entry}:-')
                continue
            parts.append(f'{entry}:{root}:{self._note(st)}')
            if stat.S_ISDIR(st.st_mode):
                self._survey_dir(root, parts)
            else:  # a zip file or an egg file
                self.candidates.append((None, root))
        self.fingerprint = '\n'.join(parts)

    def _note(self, st):
        newest = max(st.st_mtime_ns, st.st_ctime_ns)
        self.newest_ns = max(self.newest_ns, newest)
        self.coarse = self.coarse and newest % 1_000_000_000 == 0
        return _stamp(st)

    def _survey_dir(self, root, parts):
        by_name = {}
        egg_root = root.lower().endswith('.egg')
        try:
            with os.scandir(root) as children:
                for child in children:
                    low = child.name.lower()
                    if low.endswith(_METADATA_SUFFIXES):
                        name = low.rpartition('.')[0].partition('-')[0]
                        by_name.setdefault(_normalize(name), []).append(
                            child.path)
                    elif egg_root and low == 'egg-info':
                        name = os.path.basename(root).partition('-')[0]
                        by_name.setdefault(_normalize(name), []).append(
                            os.path.join(root, 'EGG-INFO'))
        except OSError:
            return
        for name, folders in by_name.items():
            for folder in folders:
                self.candidates.append((name, folder))
                parts.append(f'{folder}:{self._stat(folder, "entry_points.txt")}')
                if not _version_from_folder(folder):
                    # Its version is read from the metadata file.
                    parts.append(self._stat(folder, 'METADATA'))
                    parts.append(self._stat(folder, 'PKG-INFO'))

    def _stat(self, folder, filename):
        try:
            return self._note(os.stat(os.path.join(folder, filename)))
        except OSError:
            return '-'

    def racy(self):
        """True if something changed too recently to trust its stamps."""
        window = _COARSE_RACY_NS if self.coarse else _RACY_NS
        return self.newest_ns >= self.started_ns - window


def _version_from_folder(folder):
    """``1.0`` from ``foo-1.0.dist-info`` or ``foo-1.0-py3.11.egg-info``."""
    stem = os.path.basename(folder).rpartition('.')[0]
    return stem.partition('-')[2].partition('-')[0]


def _read_headers(folder):
    """Name and Version from the folder's METADATA or PKG-INFO headers."""
    headers = {}
    for filename in ('METADATA', 'PKG-INFO'):
        try:
            with open(os.path.join(folder, filename), encoding='utf-8',
                      errors='replace') as f:
                for line in f:
                    if not line.strip():
                        break  # end of the headers
                    key, _, value = line.partition(':')
                    if key in ('Name', 'Version'):
                        headers.setdefault(key, value.strip())
                        if len(headers) == 2:
                            break
        except OSError:
            continue
        break
    return headers.get('Name'), headers.get('Version')


def _parse_entry_points(text):
    """``[(group, name, value)]`` from an ``entry_points.txt``, parsed as
    importlib.metadata does (``#`` comments, ``name = value`` lines)."""
    group = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('[') and line.endswith(']'):
            group = line[1:-1].strip()
        elif group is not None:
            name, _, value = line.partition('=')
            yield group, name.strip(), value.strip()


def _scan(survey):
    """Read the entry points of the first distribution of each name.

    Returns ``{'dists': [[name, version, folder]], 'groups': {group:
    [[dist index, name, value]]}}``, the form stored in the cache.
    """
    seen = set()
    dists = []
    groups = {}
    for name, where in survey.candidates:
        if name is None:
            found = _scan_zip(where)
        else:
            found = [(name, where, None)]
        for norm, folder, known in found:
            if norm in seen:
                continue  # shadowed by a distribution earlier on the path
            seen.add(norm)
            if known is None:
                try:
                    with open(os.path.join(folder, 'entry_points.txt'),
                              encoding='utf-8') as f:
                        eps = list(_parse_entry_points(f.read()))
                except (OSError, UnicodeDecodeError):
                    continue
                dist = _dist_record(folder)
            else:
                dist, eps = known
            index = len(dists)
            dists.append(dist)
            for group, ep_name, value in eps:
                groups.setdefault(group, []).append([index, ep_name, value])
    return {'dists': dists, 'groups': groups}


def _dist_record(folder):
    name, version = _read_headers(folder)
    stem = os.path.basename(folder).rpartition('.')[0]
    return [name or stem.partition('-')[0],
            version or _version_from_folder(folder) or '?', folder]


def _scan_zip(path):
    """Distributions inside a zip file on sys.path, via importlib.metadata
    (rare enough not to deserve a reader of our own)."""
    import importlib.metadata
    found = []
    for dist in importlib.metadata.distributions(path=[path]):
        name = dist.metadata['Name'] or ''
        eps = [(ep.group, ep.name, ep.value) for ep in dist.entry_points]
        found.append((_normalize(name), None,
                      ([name, dist.version, None], eps)))
    return found


class _Index:
    """The scan result, with entry point objects made per group on demand."""

    def __init__(self, data, fingerprint):
        self.fingerprint = fingerprint
        self._dists = data['dists']
        self._groups = data['groups']
        self._dist_objects = {}

    def group(self, group):
        eps = []
        seen = set()
        for index, name, value in self._groups.get(group, ()):
            # Same triple twice (e.g. a project both installed and on the
            # path as '.'): keep one, as stevedore does.
            if (name, value) in seen:
                continue
            seen.add((name, value))
            eps.append(EntryPoint(name, value, group, self._dist(index)))
        return eps

    def _dist(self, index):
        dist = self._dist_objects.get(index)
        if dist is None:
            dist = self._dist_objects[index] = Distribution(
                *self._dists[index])
        return dist

    def groups(self):
        return list(self._groups)


_memo = None  # the _Index of the last lookup in this process


def _cache_file():
    key = '\0'.join([sys.executable, os.getcwd(), *sys.path])
    return os.path.join(cache_dir(),
                        f'entry-points-{zlib.crc32(key.encode()):08x}.json')


def _read_cache(filename, fingerprint):
    try:
        with open(filename, encoding='utf-8') as f:
            data = json.load(f)
        if (data['format'] == FORMAT and data['fingerprint'] == fingerprint
                and _well_formed(data)):
            return data
        return None
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, IndexError,
            AttributeError) as err:
        LOG.debug('ignoring unusable entry point cache %s: %s', filename, err)
        return None


def _well_formed(data):
    dists = data['dists']
    return (all(len(dist) == 3 for dist in dists)
            and all(0 <= index < len(dists) and isinstance(name, str)
                    and isinstance(value, str)
                    for entries in data['groups'].values()
                    for index, name, value in entries))


def _write_cache(filename, data):
    tmp = f'{filename}.{os.getpid()}.tmp'
    try:
        os.makedirs(os.path.dirname(filename), exist_ok=True)
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(data, f, separators=(',', ':'))
        # Readers see the old file or the new one, never half of one.
        os.replace(tmp, filename)
    except OSError as err:
        LOG.debug('cannot write entry point cache %s: %s', filename, err)
        try:
            os.unlink(tmp)
        except OSError:
            pass


def index(use_cache=True):
    """The entry points on the current ``sys.path``, never stale."""
    global _memo
    survey = _Survey(sys.path)
    if _memo is not None and _memo.fingerprint == survey.fingerprint:
        return _memo
    use_cache = use_cache and cache_enabled()
    filename = _cache_file() if use_cache else None
    data = _read_cache(filename, survey.fingerprint) if use_cache else None
    if data is None:
        data = _scan(survey)
        if use_cache and not survey.racy():
            data.update(format=FORMAT, fingerprint=survey.fingerprint)
            _write_cache(filename, data)
    _memo = _Index(data, survey.fingerprint)
    return _memo
