"""Find the entry points of the installed distributions, with a disk cache.

The scan follows importlib.metadata (and so stevedore): every ``sys.path``
entry in order, its ``*.dist-info`` / ``*.egg-info`` folders in directory
order, the first distribution of each (normalized) name wins.

Reading 500 ``entry_points.txt`` files on every start is the cost, so the
result is cached in ``$XDG_CACHE_HOME/statsvc/`` (``~/.cache/statsvc/``),
one file per interpreter, working directory and ``sys.path`` (and one of
import hints beside it, see :mod:`._hints`).  Each cache file holds the
*fingerprint* it was built from: the ``mtime_ns`` and inode of every
``sys.path`` directory and the ``mtime_ns``/``ctime_ns``/size/inode of
every metadata folder's ``entry_points.txt``.  The fingerprint is
recomputed (a ``scandir`` per directory and a ``stat`` per distribution)
before every use, so installing, upgrading or removing anything, or
editing an ``entry_points.txt``, is seen at once.  ``STATSVC_EXT_CACHE=0``
(or ``ExtensionManager.USE_DISK_CACHE = False``) turns the disk cache off.
"""
import binascii
import os
import re
import stat
import sys
import time

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


def cwd():
    """The working directory, or '' if it was deleted (as the import
    system, which then skips the '' entry of sys.path)."""
    try:
        return os.getcwd()
    except FileNotFoundError:
        return ''


def cache_dir():
    """``$XDG_CACHE_HOME/statsvc`` or ``~/.cache/statsvc``; None if there
    is no home either (the XDG spec ignores a relative XDG_CACHE_HOME)."""
    base = os.environ.get('XDG_CACHE_HOME', '')
    if not os.path.isabs(base):
        base = os.path.expanduser('~/.cache')
    return os.path.join(base, 'statsvc') if os.path.isabs(base) else None


def cache_enabled():
    """False when the environment says ``STATSVC_EXT_CACHE=0``."""
    return os.environ.get('STATSVC_EXT_CACHE', '1').lower() not in (
        '0', 'false', 'no', 'off')


class _Survey:
    """The metadata folders on the path and the fingerprint of everything
    the scan would read: the warm path does this much and no more."""

    def __init__(self, path):
        self.started_ns = time.time_ns()
        self.roots = []  # (root, [metadata folder name]) or (zip, None)
        # Names relative to their root keep the fingerprint short; the
        # loop is the warm path's main cost, hence plain appends.
        parts = [sys.executable, sys.version, FORMAT]
        self._ctimes = ctimes = []
        for entry in path:
            root = entry or cwd()
            parts.append(entry)
            try:
                st = os.stat(root)
            except OSError:
                parts.append(None)
                continue
            parts += (root, st.st_mtime_ns, st.st_ino)
            ctimes.append(st.st_ctime_ns)
            if not stat.S_ISDIR(st.st_mode):  # a zip file or an egg file
                self.roots.append((root, None))
                continue
            names = _metadata_folders(root)
            self.roots.append((root, names))
            prefix = os.path.join(root, '')
            for name in names:
                parts.append(name)
                if self._stamp(f'{prefix}{name}/entry_points.txt', parts) and (
                        '-' not in name):
                    # No version in the name: it is read from the metadata
                    # file (a development egg-info, edited in place).
                    self._stamp(f'{prefix}{name}/PKG-INFO', parts)
                    self._stamp(f'{prefix}{name}/METADATA', parts)
        self.fingerprint = repr(parts)
        self.newest_ns = max(ctimes, default=0)

    def _stamp(self, filename, parts):
        try:
            st = os.stat(filename)
        except OSError:
            parts.append(None)
            return False
        parts += (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        self._ctimes.append(st.st_ctime_ns)
        return True

    def racy(self):
        """True if something changed too recently to trust its stamps."""
        # Whole-second stamps betray a coarse file system.
        coarse = self.newest_ns % 1_000_000_000 == 0
        window = _COARSE_RACY_NS if coarse else _RACY_NS
        return self.newest_ns >= self.started_ns - window


def _metadata_folders(root):
    """The names of the metadata folders in ``root``, in directory order
    (an egg's own ``EGG-INFO`` last)."""
    try:
        with os.scandir(root) as children:
            names = [child.name for child in children
                     if child.name.lower().endswith(_METADATA_SUFFIXES)]
    except OSError:
        return []
    if root.lower().endswith('.egg') and os.path.isdir(
            os.path.join(root, 'EGG-INFO')):
        names.append('EGG-INFO')
    return names


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
    importlib.metadata does (``#`` comments; ``[group]`` keeps inner
    spaces), except that a line without ``=`` is skipped, not fatal."""
    group = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('[') and line.endswith(']'):
            group = line.strip('[]')
        elif group is not None and '=' in line:
            name, _, value = line.partition('=')
            yield group, name.strip(), value.strip()


def _candidates(survey):
    """``(normalized name, folder, None)`` for each metadata folder, or
    ``(normalized name, None, (dist, entry points))`` for a distribution in
    a zip file, in importlib.metadata's order: per path entry, the folders
    grouped by name in order of first appearance, an egg's own last."""
    for root, names in survey.roots:
        if names is None:
            yield from _scan_zip(root)
            continue
        by_name = {}
        for base in names:
            if base != 'EGG-INFO':
                by_name.setdefault(_name_from_stem(base), []).append(base)
        for name, same_name in by_name.items():
            for base in same_name:
                yield name, os.path.join(root, base), None
        if names and names[-1] == 'EGG-INFO':
            yield (_name_from_stem(os.path.basename(root)),
                   os.path.join(root, 'EGG-INFO'), None)


def _name_from_stem(base):
    """``foo_bar`` from ``Foo.Bar-1.0.dist-info`` or ``foo_bar-1.0.egg``."""
    return _normalize(base.lower().rpartition('.')[0].partition('-')[0])


def _scan(survey):
    """Read the entry points of the first distribution of each name.

    Returns ``([[name, version, folder]], [[group, dist index, name,
    value]])``, the form stored in the cache.
    """
    seen = set()
    dists = []
    entry_points = []
    for name, folder, known in _candidates(survey):
        if name in seen:
            continue  # shadowed by a distribution earlier on the path
        seen.add(name)
        if known is None:
            try:
                with open(os.path.join(folder, 'entry_points.txt'),
                          encoding='utf-8') as f:
                    eps = list(_parse_entry_points(f.read()))
            except (OSError, UnicodeDecodeError):
                continue
            known = _dist_record(folder), eps
        dist, eps = known
        index = len(dists)
        dists.append(dist)
        entry_points.extend([group, index, ep_name, value]
                            for group, ep_name, value in eps)
    return dists, entry_points


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
        found.append((_normalize(name), None, ([name, dist.version, ''], eps)))
    return found


class _Index:
    """The scan result, with entry point objects made per group on demand."""

    def __init__(self, dists, entry_points, fingerprint, cache_file):
        self.fingerprint = fingerprint
        #: Where the scan is cached, None when caching is off.
        self.cache_file = cache_file
        #: When the file system last matched the fingerprint.
        self.surveyed_ns = 0
        self._dists = dists
        self._groups = {}
        for group, index, name, value in entry_points:
            self._groups.setdefault(group, []).append((index, name, value))
        self._dist_objects = {}

    def group(self, group):
        """The entry points of ``group``, as :class:`EntryPoint` objects."""
        eps = []
        seen = set()
        for index, name, value in self._groups.get(group, ()):
            # Same entry point twice (a project both installed and on the
            # path, say): keep one, as stevedore does.
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
        """Every group (namespace) that has entry points."""
        return list(self._groups)


_memo = None  # the _Index of the last lookup in this process

# A cache file: a header line with the CRC-32 of the body, then the body:
# NUL-separated fields (no path or entry point holds a NUL), read with
# str.split, which is faster than importing json and safer than marshal.
# The first field is the fingerprint the rest was built from.  The CRC
# catches truncated or damaged files.
_HEADER = f'statsvc.ext cache {FORMAT}'
_ENCODING = dict(encoding='utf-8', errors='surrogateescape')


def _cache_file():
    folder = cache_dir()
    if folder is None:
        return None
    key = '\0'.join([sys.executable, cwd(), *sys.path])
    # Two environments sharing a name only overwrite each other's cache:
    # the fingerprint inside decides whether a file is used.
    digest = binascii.crc32(key.encode(**_ENCODING))
    return os.path.join(folder, f'entry-points-{digest:08x}')


def read_fields(filename, fingerprint):
    """The fields stored in ``filename`` for ``fingerprint``, or None if
    the file is absent, was built from another fingerprint or is damaged."""
    try:
        with open(filename, 'rb') as f:
            head, _, body = f.read().partition(b'\n')
        if head.decode(**_ENCODING) != (
                f'{_HEADER} {binascii.crc32(body):08x}'):
            raise ValueError('damaged')
        fields = body.decode(**_ENCODING).split('\0')
        return fields[1:] if fields[0] == fingerprint else None
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        LOG.debug('ignoring unusable cache file %s: %s', filename, err)
        return None


def write_fields(filename, fingerprint, fields):
    """Store ``fields`` (strings) for ``fingerprint``, atomically; give up
    silently if the file cannot be written."""
    fields = [fingerprint, *fields]
    if any('\0' in field for field in fields):
        return  # cannot be stored in this format; rebuild next time too
    body = '\0'.join(fields).encode(**_ENCODING)
    head = f'{_HEADER} {binascii.crc32(body):08x}\n'.encode()
    tmp = f'{filename}.{os.getpid()}.tmp'
    try:
        os.makedirs(os.path.dirname(filename), exist_ok=True)
        with open(tmp, 'wb') as f:
            f.write(head + body)
        # Readers see the old file or the new one, never half of one.
        os.replace(tmp, filename)
    except OSError as err:
        LOG.debug('cannot write cache file %s: %s', filename, err)
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _read_cache(filename, fingerprint):
    """The cached ``(dists, entry points)``, or None."""
    fields = read_fields(filename, fingerprint)
    if fields is None:
        return None
    try:
        # Number of distributions, 3 fields each, 4 per entry point.
        end = 1 + 3 * int(fields[0])
        dists = [fields[i:i + 3] for i in range(1, end, 3)]
        entry_points = [[group, int(index), name, value]
                        for group, index, name, value
                        in zip(*[iter(fields[end:])] * 4)]
    except (ValueError, IndexError):
        return None
    return dists, entry_points


def _write_cache(filename, fingerprint, dists, entry_points):
    fields = [str(len(dists))]
    for dist in dists:
        fields.extend(dist)
    for group, index, name, value in entry_points:
        fields.extend((group, str(index), name, value))
    write_fields(filename, fingerprint, fields)


def index(use_cache=True):
    """The entry points on the current ``sys.path``, never stale."""
    global _memo
    survey = _Survey(sys.path)
    if _memo is not None and _memo.fingerprint == survey.fingerprint:
        _memo.surveyed_ns = survey.started_ns
        return _memo
    filename = _cache_file() if use_cache and cache_enabled() else None
    found = _read_cache(filename, survey.fingerprint) if filename else None
    if found is None:
        found = _scan(survey)
        if filename and not survey.racy():
            _write_cache(filename, survey.fingerprint, *found)
    _memo = _Index(*found, survey.fingerprint, filename)
    _memo.surveyed_ns = survey.started_ns
    return _memo


def namespaces(use_cache=True):
    """Every namespace (entry point group) that has entry points."""
    return index(use_cache).groups()
