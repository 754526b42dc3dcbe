"""Load the configured storage driver from its entry point."""
from statsvc import ext
from statsvc.ext.exception import NoMatches
from statsvc.storage.exceptions import UnknownDriver

NAMESPACE = "statsvc.storage"
DEFAULT_DRIVER = "sqlite"


def load_driver(options):
    """Instantiate the driver named ``options["driver"]`` with ``options``.

    :param options: the ``[storage]`` configuration section; ``driver``
        defaults to ``sqlite``.
    :raises UnknownDriver: naming the installed drivers, if none has that
        name.
    :raises StorageUnavailable: if the driver cannot reach its store.
    """
    name = options.get("driver") or DEFAULT_DRIVER
    try:
        manager = ext.DriverManager(NAMESPACE, name, invoke_on_load=True,
                                    invoke_args=(options,),
                                    warn_on_missing_entrypoint=False)
    except NoMatches:
        # A manager asked for no names lists the (cached) entry points and
        # loads nothing.
        installed = sorted(set(ext.NamedExtensionManager(
            NAMESPACE, names=()).entry_points_names()))
        raise UnknownDriver(name, installed) from None
    return manager.driver
