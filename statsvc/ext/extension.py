"""ExtensionManager: load every plugin of a namespace.

Use it when the application wants all the plugins installed in a namespace
(for example every statistic).  The other managers are subclasses that
narrow the choice: by name (:mod:`.named`, :mod:`.driver`, :mod:`.hook`),
by a check function (:mod:`.enabled`) or per call (:mod:`.dispatch`).
"""
import sys

from . import _discovery
from . import _hints
from . import _log
from ._entrypoint import describe
from .exception import MissingRequirements
from .exception import MultipleMatches
from .exception import NoMatches

LOG = _log.Logger(__name__)

_CO_VARARGS = 0x04  # inspect.CO_VARARGS, without importing inspect (slow)


class Extension:
    """Book-keeping object for one loaded plugin.

    :param name: The entry point name.
    :param entry_point: The entry point (behaves like an
        ``importlib.metadata.EntryPoint``).
    :param plugin: The value returned by ``entry_point.load()``.
    :param obj: The object returned by ``plugin(*args, **kwds)`` if the
        manager invoked the plugin on load, else ``None``.
    """

    def __init__(self, name, entry_point, plugin, obj):
        self.name = name
        self.entry_point = entry_point
        self.plugin = plugin
        self.obj = obj

    @property
    def module_name(self):
        """The module the entry point is loaded from (``'dotted.module'``)."""
        return self.entry_point.module

    @property
    def attr(self):
        """The attribute of the module that is loaded."""
        return self.entry_point.attr

    @property
    def entry_point_target(self):
        """The entry point's target, ``'dotted.module:object'``."""
        return self.entry_point.value

    def __repr__(self):
        return f'<Extension {describe(self.entry_point)}>'


def _describe_all(extensions):
    return ', '.join(describe(e.entry_point) for e in extensions)


def ignore_conflicts(namespace, name, entrypoints):
    """Conflict resolver that warns and keeps the last extension found."""
    LOG.warning(
        "multiple implementations found for the '%s' extension in %s "
        "namespace: %s; using the last one",
        name, namespace, _describe_all(entrypoints))
    return entrypoints[-1]


def error_on_conflict(namespace, name, entrypoints):
    """Conflict resolver that raises :class:`MultipleMatches`."""
    raise MultipleMatches(
        f"multiple implementations found for the '{name}' extension in "
        f"{namespace} namespace: {_describe_all(entrypoints)}")


def _takes_verify(method, positional):
    """Whether ``method`` takes ``verify_requirements`` after ``positional``
    other arguments.  stevedore up to 5.4 passed it to ``_load_plugins`` and
    ``_load_one_plugin``, later versions do not: subclasses written against
    either must keep working."""
    code = getattr(method, '__code__', None)
    return (code is None or bool(code.co_flags & _CO_VARARGS)
            or code.co_argcount > positional + 1)  # + self


def unmet_requirements(ep):
    """Describe each requirement of ``ep``'s distribution, with the extras
    the entry point names (``name = module:attr [extra]``), that is not
    installed; ``[]`` when all are (or no distribution says).  What
    ``verify_requirements=True`` checks, for one entry point: a service
    can so skip a plugin whose optional dependencies are absent without
    importing it, and without checking every plugin."""
    dist = getattr(ep, 'dist', None)
    if dist is None:
        return []  # nothing says what it needs
    from . import _requirements
    return _requirements.unmet(dist, ep.extras)


class ExtensionManager:
    """Base class for all of the other managers: loads every plugin.

    :param namespace: The namespace for the entry points.
    :param invoke_on_load: Whether to call the object returned by the entry
        point once it is loaded (typically to instantiate a class).
    :param invoke_args: Positional arguments for that call.
    :param invoke_kwds: Keyword arguments for that call.
    :param propagate_map_exceptions: Whether exceptions raised inside
        :meth:`map` propagate (``True``) or are logged and skipped.
    :param on_load_failure_callback: Called as ``(manager, entrypoint,
        exception)`` when a plugin cannot be loaded; by default the failure
        is logged and the plugin skipped.
    :param verify_requirements: Whether to check that the requirements of
        each plugin's distribution are installed before loading it; a
        plugin whose requirements are missing fails to load with
        :class:`~.exception.MissingRequirements`.
    :param conflict_resolver: Called as ``(namespace, name, extensions)``
        to choose one extension when several share a name; used when
        looking extensions up by name.
    """

    #: ``{namespace: [entry points]}`` shared by all managers of the
    #: process, as in stevedore.  Emptied when ``sys.path`` changes.
    ENTRY_POINT_CACHE = {}

    #: Whether the scan of installed distributions may be cached on disk
    #: (the environment can also say ``STATSVC_EXT_CACHE=0``).
    USE_DISK_CACHE = True

    _entry_point_cache_path = None

    def __init__(self, namespace, invoke_on_load=False, invoke_args=(),
                 invoke_kwds={}, propagate_map_exceptions=False,
                 on_load_failure_callback=None, verify_requirements=False, *,
                 conflict_resolver=ignore_conflicts):
        self._conflict_resolver = conflict_resolver
        self._init_attributes(
            namespace, propagate_map_exceptions=propagate_map_exceptions,
            on_load_failure_callback=on_load_failure_callback)
        extensions = self._call_load_plugins(invoke_on_load, invoke_args,
                                             invoke_kwds, verify_requirements)
        self._init_plugins(extensions)

    @classmethod
    def make_test_instance(cls, extensions, namespace='TESTING',
                           propagate_map_exceptions=False,
                           on_load_failure_callback=None,
                           verify_requirements=False, *,
                           conflict_resolver=ignore_conflicts):
        """Build a manager around given :class:`Extension` objects.

        Nothing is looked up or loaded; ``namespace`` only names the
        manager.  The other arguments are those of the constructor.
        """
        o = cls.__new__(cls)
        o._conflict_resolver = conflict_resolver
        o._init_test_attributes(
            namespace, extensions,
            propagate_map_exceptions=propagate_map_exceptions,
            on_load_failure_callback=on_load_failure_callback)
        o._init_plugins(list(extensions))
        return o

    def _init_test_attributes(self, namespace, extensions, **kwargs):
        # Subclasses whose _init_attributes needs more (names) override.
        self._init_attributes(namespace, **kwargs)

    def _init_attributes(self, namespace, propagate_map_exceptions=False,
                         on_load_failure_callback=None):
        self.namespace = namespace
        self.propagate_map_exceptions = propagate_map_exceptions
        self._on_load_failure_callback = on_load_failure_callback

    def _init_plugins(self, extensions):
        self.extensions = extensions
        self._extensions_by_name_cache = None

    @property
    def _extensions_by_name(self):
        if self._extensions_by_name_cache is None:
            by_name = {}
            for e in self.extensions:
                by_name.setdefault(e.name, []).append(e)
            self._extensions_by_name_cache = {
                name: (found[0] if len(found) == 1 else
                       self._conflict_resolver(self.namespace, name, found))
                for name, found in by_name.items()}
        return self._extensions_by_name_cache

    def list_entry_points(self):
        """Return the entry points of this namespace, without loading them."""
        path = (_discovery.cwd(), tuple(sys.path))
        # The class that holds the cache in use also holds its path.
        owner = next(c for c in type(self).__mro__
                     if 'ENTRY_POINT_CACHE' in vars(c))
        if owner._entry_point_cache_path != path:
            # Entries found on another sys.path may be wrong here; the
            # first lookup keeps what tests may have put in the cache.
            if owner._entry_point_cache_path is not None:
                self.ENTRY_POINT_CACHE.clear()
            owner._entry_point_cache_path = path
        if self.namespace not in self.ENTRY_POINT_CACHE:
            found = _discovery.index(self.USE_DISK_CACHE).group(self.namespace)
            self.ENTRY_POINT_CACHE[self.namespace] = found
        return self.ENTRY_POINT_CACHE[self.namespace]

    def entry_points_names(self):
        """Return the names of the entry points of this namespace."""
        return [ep.name for ep in self.list_entry_points()]

    def _call_load_plugins(self, invoke_on_load, invoke_args, invoke_kwds,
                           verify_requirements):
        """``_load_plugins``, called as the subclass expects (see
        :func:`_takes_verify`)."""
        args = (invoke_on_load, () if invoke_args is None else invoke_args,
                {} if invoke_kwds is None else invoke_kwds)
        if _takes_verify(type(self)._load_plugins, len(args)):
            args += (verify_requirements,)
        return self._load_plugins(*args)

    def _load_plugins(self, invoke_on_load, invoke_args, invoke_kwds,
                      verify_requirements=False):
        extensions = []
        args = (invoke_on_load, invoke_args, invoke_kwds)
        if _takes_verify(type(self)._load_one_plugin, 1 + len(args)):
            args += (verify_requirements,)
        # Plugin modules are found where they were last time, when nothing
        # there has changed (see _hints).
        with _hints.hinted_imports(self):
            for ep in self.list_entry_points():
                LOG.debug('found extension %r', ep)
                try:
                    ext = self._load_one_plugin(ep, *args)
                except (KeyboardInterrupt, AssertionError):
                    raise
                except Exception as err:
                    self._load_failed(ep, err)
                else:
                    if ext:
                        extensions.append(ext)
        return extensions

    def _load_failed(self, ep, err):
        where = describe(ep, self.namespace)
        # The note makes a re-raised error say which plugin it came from.
        err.add_note(f'while loading plugin {where}')
        if self._on_load_failure_callback is not None:
            self._on_load_failure_callback(self, ep, err)
        else:
            # The message is usually enough (often a missing dependency);
            # the traceback only when debugging.
            LOG.error('Could not load plugin %s: %s: %s', where,
                      type(err).__name__, err,
                      exc_info=LOG.debugging())

    def _load_one_plugin(self, ep, invoke_on_load, invoke_args, invoke_kwds,
                         verify_requirements=False):
        if verify_requirements:
            self._verify_requirements(ep)
        plugin = ep.load()
        obj = plugin(*invoke_args, **invoke_kwds) if invoke_on_load else None
        return Extension(ep.name, ep, plugin, obj)

    @staticmethod
    def _verify_requirements(ep):
        problems = unmet_requirements(ep)
        if problems:
            raise MissingRequirements(
                f'{ep.dist.name} {ep.dist.version} requires '
                + '; '.join(problems))

    def names(self):
        """Return the names of the loaded extensions, in :meth:`map` order."""
        return [e.name for e in self.extensions]

    def map(self, func, *args, **kwds):
        """Call ``func(extension, *args, **kwds)`` for every extension.

        Exceptions raised by ``func`` stop the iteration if
        ``propagate_map_exceptions`` is true, otherwise they are logged and
        that extension is skipped.

        :returns: The list of values returned by ``func``.
        :raises NoMatches: If no extension is loaded.
        """
        return self._map(self.extensions, func, *args, **kwds)

    def _map(self, extensions, func, /, *args, **kwds):
        """:meth:`map` over the iterable ``extensions``."""
        if not self.extensions:
            raise NoMatches(f'No {self.namespace} extensions found')
        response = []
        for e in extensions:
            self._invoke_one_plugin(response.append, func, e, *args, **kwds)
        return response

    @staticmethod
    def _call_extension_method(extension, /, method_name, *args, **kwds):
        return getattr(extension.obj, method_name)(*args, **kwds)

    def map_method(self, method_name, *args, **kwds):
        """Call ``extension.obj.<method_name>(*args, **kwds)`` for each
        extension, with the error handling of :meth:`map`."""
        return self.map(self._call_extension_method, method_name,
                        *args, **kwds)

    def _invoke_one_plugin(self, response_callback, func, e, *args, **kwds):
        try:
            response_callback(func(e, *args, **kwds))
        except Exception as err:
            if self.propagate_map_exceptions:
                raise
            LOG.exception('error calling extension %s: %s',
                          describe(e.entry_point, self.namespace), err)

    def items(self):
        """``(name, extension)`` pairs, like ``dict.items()``."""
        return self._extensions_by_name.items()

    def __iter__(self):
        """Iterate over the :class:`Extension` objects in :meth:`map` order."""
        return iter(self.extensions)

    def __getitem__(self, name):
        """Return the :class:`Extension` called ``name``."""
        return self._extensions_by_name[name]

    def __contains__(self, name):
        """Whether an extension called ``name`` is loaded."""
        return any(e.name == name for e in self.extensions)
