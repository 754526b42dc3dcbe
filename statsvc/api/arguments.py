"""Query-string arguments shared by controllers."""
from statsvc.api.errors import ApiError

_TRUE = ("true", "yes", "on", "1", "y")
_FALSE = ("false", "no", "off", "0", "n")


def boolean(raw, name):
    """A boolean argument in Gnocchi's ``strtobool`` spellings; a 400
    naming ``name`` otherwise."""
    value = raw.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ApiError(400, f"{name} must be true or false", parameter=name)
