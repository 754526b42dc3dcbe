"""Light stand-ins for importlib.metadata's EntryPoint and Distribution.

Importing importlib.metadata costs more than a whole warm start of a
manager, so entry points read from the cache are these small objects.  They
behave like importlib.metadata's; ``Distribution`` builds the real
importlib.metadata object only when asked for something it does not hold.
"""
import functools
import importlib
import os


def _dotted(text):
    """Whether ``text`` matches ``[\\w.]+``."""
    # What is left once dots and underscores are gone must be alphanumeric.
    rest = text.replace('.', '').replace('_', '')
    return bool(text) and (not rest or rest.isalnum())


def _parse(value):
    """``(module, attr, extras)`` of ``module:attr [extras]``, by the
    grammar of importlib.metadata's ``EntryPoint.pattern`` (a regular
    expression would cost its compilation at every start), or None."""
    main, bracket, extras = value.partition('[')
    if bracket:
        extras = bracket + extras.rstrip()
        if not extras.endswith(']'):
            return None
    module, colon, attr = main.partition(':')
    module, attr = module.rstrip(), attr.strip() if colon else None
    if not _dotted(module) or (colon and not _dotted(attr)):
        return None
    return module, attr, extras


class Distribution:
    """The installed distribution that registers an entry point.

    ``name`` and ``version`` come from the scan; any other attribute
    (``metadata``, ``requires``, ``files``, ``read_text()`` ...) is that of
    the matching ``importlib.metadata.Distribution``.
    """

    def __init__(self, name, version, path):
        self.name = name
        self.version = version
        self._path = path

    def __getattr__(self, attr):
        # Only reached for attributes this light object does not have.
        if attr.startswith('__') or attr == '_real':
            raise AttributeError(attr)
        return getattr(self._importlib_dist(), attr)

    def _importlib_dist(self):
        real = self.__dict__.get('_real')
        if real is None:
            import importlib.metadata
            import pathlib
            if self._path and os.path.isdir(self._path):
                real = importlib.metadata.PathDistribution(
                    pathlib.Path(self._path))
            else:  # inside a zip file: let importlib.metadata find it
                real = importlib.metadata.distribution(self.name)
            self._real = real
        return real

    def __repr__(self):
        return f'<Distribution {self}>'

    def __str__(self):
        return f'{self.name} {self.version}'


class EntryPoint:
    """An entry point, compatible with ``importlib.metadata.EntryPoint``."""

    __slots__ = ('name', 'value', 'group', 'dist')

    def __init__(self, name, value, group, dist=None):
        self.name = name
        self.value = value
        self.group = group
        self.dist = dist

    def _parts(self):
        parts = _parse(self.value)
        if parts is None:
            raise ValueError(
                f'invalid entry point {self.name} = {self.value!r}')
        return parts

    @property
    def module(self):
        return self._parts()[0]

    @property
    def attr(self):
        return self._parts()[1]

    @property
    def extras(self):
        import re
        return re.findall(r'\w+', self._parts()[2])

    def load(self):
        """Import the module and return the object the entry point names."""
        module, attr, _ = self._parts()
        attrs = filter(None, (attr or '').split('.'))
        return functools.reduce(getattr, attrs,
                                importlib.import_module(module))

    def matches(self, **params):
        """True if every given attribute has the given value."""
        return all(getattr(self, k) == v for k, v in params.items())

    def _key(self):
        return self.name, self.value, self.group

    def __eq__(self, other):
        try:
            return self._key() == (other.name, other.value, other.group)
        except AttributeError:
            return NotImplemented

    def __lt__(self, other):
        return self._key() < (other.name, other.value, other.group)

    def __hash__(self):
        return hash(self._key())

    def __reduce__(self):
        return self.__class__, (self.name, self.value, self.group, self.dist)

    def __repr__(self):
        return (f'EntryPoint(name={self.name!r}, value={self.value!r}, '
                f'group={self.group!r})')


def describe(ep, namespace=None):
    """``'name = module:attr' from dist 1.0 [in namespace 'ns']``.

    Works for importlib.metadata entry points too, and for the stand-ins
    tests pass to ``make_test_instance`` (possibly ``None``).
    """
    if ep is None:
        return 'a test extension'
    text = f"'{ep.name} = {ep.value}'"
    dist = getattr(ep, 'dist', None)
    if dist is not None:
        text += f' from {dist.name} {dist.version}'
    if namespace:
        text += f' in namespace {namespace!r}'
    return text
