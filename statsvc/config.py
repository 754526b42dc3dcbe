"""Configuration: an INI file (``STATSVC_CONFIG``) over built-in defaults.

Sections and keys are documented in ``etc/statsvc/statsvc.conf``. The
environment variable ``STATSVC_DATA_DIR`` overrides ``[storage] data_dir``
so that ``statsvc-api --data-dir`` reaches every uwsgi worker.
"""
import configparser
import os

DEFAULTS = {
    "api": {
        "host": "127.0.0.1",
        "port": "8041",
        "workers": str(os.cpu_count() or 1),
        "threads": "8",
        "max_body_size": str(16 * 1024 * 1024),
        # Bounds of a /v1/aggregates expression: nesting and atoms.
        "max_operations_depth": "32",
        "max_operations_nodes": "10000",
        "max_measures_per_request": "1000000",
        "max_points_per_get": "2000000",
        "max_metrics_per_batch": "10000",
        "max_limit": "1000",
        "max_pipeline_steps": "8",
        "metrics_without_policy": "true",
        "auth_mode": "none",
        "users_file": "",
    },
    "storage": {
        "driver": "sqlite",
        "data_dir": "",
        "url": "redis://127.0.0.1:6379/0",
    },
    "statistics": {
        "enabled": "",
        "disabled": "",
    },
}


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or holds a bad value."""


def default_data_dir():
    """``$XDG_DATA_HOME/statsvc``, i.e. ``~/.local/share/statsvc`` by default."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "statsvc")


def default_users_file():
    """``$XDG_CONFIG_HOME/statsvc/users.json``, i.e. under ``~/.config``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(
        os.path.expanduser("~"), ".config")
    return os.path.join(base, "statsvc", "users.json")


class Config:
    """Read-only view of the merged configuration, by section."""

    def __init__(self, sections):
        self._sections = sections

    def section(self, name):
        """Return a copy of one section as a ``dict`` of strings."""
        return dict(self._sections.get(name, {}))

    def get(self, section, key):
        return self._sections[section][key]

    def getint(self, section, key):
        value = self.get(section, key)
        try:
            return int(value)
        except ValueError:
            raise ConfigError(
                f"[{section}] {key} = {value!r}: expected an integer")

    def getboolean(self, section, key):
        """``true``/``false`` (also yes/no, on/off, 1/0)."""
        value = self.get(section, key).strip().lower()
        if value in ("true", "yes", "on", "1"):
            return True
        if value in ("false", "no", "off", "0"):
            return False
        raise ConfigError(f"[{section}] {key} = {value!r}: expected true "
                          f"or false")

    def getlist(self, section, key):
        """A comma- or newline-separated value as a list of stripped names."""
        raw = self.get(section, key).replace("\n", ",")
        return [item.strip() for item in raw.split(",") if item.strip()]


def load(path=None, overrides=None):
    """Merge defaults, the INI file at ``path`` (or ``$STATSVC_CONFIG``),
    the environment and ``overrides`` (``{section: {key: value}}``)."""
    sections = {name: dict(values) for name, values in DEFAULTS.items()}
    path = path or os.environ.get("STATSVC_CONFIG")
    if path:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            with open(path, encoding="utf-8") as f:
                parser.read_file(f)
        except (OSError, configparser.Error) as e:
            raise ConfigError(f"cannot read configuration {path}: {e}")
        for name in parser.sections():
            sections.setdefault(name, {}).update(parser[name])
    if os.environ.get("STATSVC_DATA_DIR"):
        sections["storage"]["data_dir"] = os.environ["STATSVC_DATA_DIR"]
    for name, values in (overrides or {}).items():
        sections.setdefault(name, {}).update(values)
    if not sections["storage"]["data_dir"]:
        sections["storage"]["data_dir"] = default_data_dir()
    if not sections["api"]["users_file"]:
        sections["api"]["users_file"] = default_users_file()
    return Config(sections)
