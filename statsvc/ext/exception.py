"""Exceptions raised by the managers (the same classes as stevedore's)."""


class NoUniqueMatch(RuntimeError):
    """There was more than one extension, or none, that matched the query."""


class NoMatches(NoUniqueMatch):
    """There were no extensions with the driver name found."""


class MultipleMatches(NoUniqueMatch):
    """There were multiple matches for the given name."""


class MissingRequirements(ImportError):
    """A plugin's distribution needs packages that are not installed.

    Raised (and handled like any load failure) only when a manager is built
    with ``verify_requirements=True``.  An ``ImportError`` because that is
    what loading the plugin would most likely have raised anyway.
    """
