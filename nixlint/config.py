"""What the user asked to see: configuration files, rule selection and their layering.

Settings live in ``.nixlint.toml``, ``nixlint.toml`` (top-level keys) or the
``[tool.nixlint]`` table of ``pyproject.toml``. For each file nixlint reports on, the
configuration file closest to it wins (in one directory, in that order); run-wide settings
(``fail-on``, ``baseline``) come from the file closest to the scanned paths. Command-line
options are a layer on top: ``--select`` replaces the selection, ``--ignore`` and
``--extend-select`` add to it, as in ruff.

Rule selectors are codes (``NIX101``), names (``oci-privileged``), code prefixes (``NIX1``)
or ``ALL``; where selectors disagree the more specific one wins, and ``ignore`` wins a tie.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from nixlint.findings import Severity
from nixlint.globs import PathGlob, option_matches

#: Configuration files, in the order they are preferred within one directory.
CONFIG_FILES = (".nixlint.toml", "nixlint.toml", "pyproject.toml")
COMMAND_LINE = "command line"
DEFAULT = "default"
ALL = "NIX"

KEYS = (
    "select",
    "extend-select",
    "ignore",
    "severity",
    "fail-on",
    "exclude",
    "per-file-ignores",
    "per-option-ignores",
    "inline-ignores",
    "baseline",
)


class ConfigError(Exception):
    """A configuration file or option nixlint cannot use (exit code 2)."""


# -- rule selectors ---------------------------------------------------------------------------


def rule_codes() -> list[str]:
    from nixlint.rules.base import all_rules

    return [r.code for r in all_rules()]


def selector(text: str) -> str:
    """The code prefix a selector stands for: a code, a rule name, a prefix or ``ALL``."""
    from nixlint.rules.base import all_rules, lookup

    all_rules()
    key = text.strip()
    found = lookup(key) if key else None
    if found is not None:
        return found.code
    upper = key.upper()
    if upper == "ALL":
        return ALL
    if upper.startswith("NIX") and 3 < len(upper) < 6 and upper[3:].isdigit():
        return upper
    raise ConfigError(f"unknown rule {key!r} (see `nixlint rules`)")


def selectors(values: Iterable[str]) -> tuple[str, ...]:
    """Resolve selectors; each value may hold several, comma-separated."""
    out: list[str] = []
    for value in values:
        out.extend(selector(part) for part in value.split(",") if part.strip())
    return tuple(out)


def _specificity(code: str, prefixes: Iterable[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


@dataclass(frozen=True)
class Layer:
    """One source of rule selection (a configuration file, or the command line)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def apply(self, code: str, on: bool) -> bool:
        off = _specificity(code, self.ignore)
        if self.select is not None:
            return _specificity(code, self.select + self.extend_select) > off
        added = _specificity(code, self.extend_select)
        if added > off:
            return True
        return False if off >= 0 else on


def enabled(layers: Sequence[Layer], codes: Iterable[str]) -> frozenset[str]:
    """The codes the layers leave enabled, starting from every rule."""
    out: set[str] = set()
    for code in codes:
        on = True
        for layer in layers:
            on = layer.apply(code, on)
        if on:
            out.add(code)
    return frozenset(out)


# -- one configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The settings of one configuration file (or of the command line), validated; paths
    are absolute and globs are relative to ``directory``."""

    path: str | None = None
    directory: str = ""
    layer: Layer = Layer()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity | None = None
    exclude: tuple[PathGlob, ...] = ()
    per_file_ignores: tuple[tuple[PathGlob, tuple[str, ...]], ...] = ()
    per_option_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    inline_ignores: bool | None = None
    baseline: str | None = None
    #: The settings as written, for ``nixlint config``.
    raw: Mapping[str, object] = field(default_factory=dict, compare=False)

    @property
    def origin(self) -> str:
        return display(self.path) if self.path else COMMAND_LINE


def display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith(os.pardir) else rel


def find_config(directory: str) -> str | None:
    """The configuration file in ``directory`` (not above it), or None."""
    for name in CONFIG_FILES:
        candidate = os.path.join(directory, name)
        if not os.path.isfile(candidate):
            continue
        if name != "pyproject.toml":
            return candidate
        try:
            with open(candidate, "rb") as handle:
                if b"nixlint" in handle.read():
                    table = _load_toml(candidate).get("tool", {})
                    if isinstance(table, dict) and "nixlint" in table:
                        return candidate
        except OSError:
            continue
    return None


def _load_toml(path: str) -> dict[str, object]:
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"cannot read {display(path)}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{display(path)} is not valid TOML: {err}") from None


def read_config(path: str) -> Config:
    """Load and validate one configuration file."""
    path = os.path.realpath(path)
    data = _load_toml(path)
    where = display(path)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("nixlint", {}) if isinstance(tool, dict) else {}
        where += " [tool.nixlint]"
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    return parse_config(table, path, os.path.dirname(path), where)


def _fail(where: str, key: str, message: str) -> ConfigError:
    if where == COMMAND_LINE:
        return ConfigError(f"--{key}: {message}")
    return ConfigError(f"{where}: {key}: {message}")


def _strings(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, key, f"expected a list of strings, got {value!r}")
    return tuple(value)


def _rules(where: str, key: str, value: object) -> tuple[str, ...]:
    values = _strings(where, key, value)
    try:
        return selectors(values)
    except ConfigError as err:
        raise _fail(where, key, str(err)) from None


def severity_value(where: str, key: str, value: object) -> Severity:
    try:
        return Severity(str(value).lower()) if isinstance(value, str) else Severity(value)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise _fail(where, key, f"expected one of {choices}, got {value!r}") from None


def _table(where: str, key: str, value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _fail(where, key, f"expected a table, got {value!r}")
    return value


def parse_config(
    table: Mapping[str, object], path: str | None, directory: str, where: str
) -> Config:
    """Validate a table of settings (as written in a file)."""
    for key in table:
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(KEYS)
            raise ConfigError(f"{where}: unknown key {key!r}{hint}; known keys: {known}")
    select = _rules(where, "select", table["select"]) if "select" in table else None
    layer = Layer(
        select,
        _rules(where, "extend-select", table.get("extend-select", [])),
        _rules(where, "ignore", table.get("ignore", [])),
    )
    severity: list[tuple[str, Severity]] = []
    for name, value in _table(where, "severity", table.get("severity", {})).items():
        try:
            code = selector(name)
        except ConfigError as err:
            raise _fail(where, "severity", str(err)) from None
        severity.append((code, severity_value(where, f"severity.{name}", value)))
    fail_on = severity_value(where, "fail-on", table["fail-on"]) if "fail-on" in table else None
    exclude = tuple(
        PathGlob.make(p, directory) for p in _strings(where, "exclude", table.get("exclude", []))
    )
    per_file = tuple(
        (PathGlob.make(glob, directory), _rules(where, f"per-file-ignores.{glob!r}", codes))
        for glob, codes in _table(
            where, "per-file-ignores", table.get("per-file-ignores", {})
        ).items()
    )
    per_option = tuple(
        (pattern, _rules(where, f"per-option-ignores.{pattern!r}", codes))
        for pattern, codes in _table(
            where, "per-option-ignores", table.get("per-option-ignores", {})
        ).items()
    )
    inline = table.get("inline-ignores")
    if inline is not None and not isinstance(inline, bool):
        raise _fail(where, "inline-ignores", f"expected true or false, got {inline!r}")
    baseline = table.get("baseline")
    if baseline is not None:
        if not isinstance(baseline, str) or not baseline:
            raise _fail(where, "baseline", f"expected a file name, got {baseline!r}")
        baseline = os.path.join(directory, baseline)
    return Config(
        path,
        directory,
        layer,
        tuple(severity),
        fail_on,
        exclude,
        per_file,
        per_option,
        inline,
        baseline,
        dict(table),
    )


# -- the command line and the policy per file -------------------------------------------------


@dataclass(frozen=True)
class Overrides:
    """Command-line options (as given; selectors are resolved by :class:`Policy`)."""

    select: Sequence[str] | None = None
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    exclude: Sequence[str] = ()
    fail_on: str | None = None
    inline_ignores: bool | None = None
    baseline: str | None = None
    config: str | None = None
    isolated: bool = False


class Policy:
    """Which configuration governs each file, and what it says about a finding there."""

    def __init__(self, overrides: Overrides | None = None, cwd: str | None = None) -> None:
        given = overrides or Overrides()
        self.cwd = os.path.realpath(cwd or os.getcwd())
        raw: dict[str, object] = {}
        if given.select is not None:
            raw["select"] = list(given.select)
        for key, value in (
            ("extend-select", given.extend_select),
            ("ignore", given.ignore),
            ("exclude", given.exclude),
        ):
            if value:
                raw[key] = list(value)
        if given.fail_on is not None:
            raw["fail-on"] = given.fail_on
        if given.inline_ignores is not None:
            raw["inline-ignores"] = given.inline_ignores
        if given.baseline is not None:
            raw["baseline"] = os.path.abspath(given.baseline)
        self.cli = parse_config(raw, None, self.cwd, COMMAND_LINE)
        self.fixed: Config | None = None
        if given.config is not None:
            if not os.path.isfile(given.config):
                raise ConfigError(f"no such configuration file: {given.config}")
            self.fixed = read_config(given.config)
        elif given.isolated:
            self.fixed = Config(directory=self.cwd)
        self._by_dir: dict[str, Config] = {}
        #: the same by the directory as asked for (files of one directory share it)
        self._by_given: dict[str, Config] = {}
        self._by_file: dict[str, Config] = {}
        #: config_for's answers, by the path as given (the working directory is fixed)
        self._by_path: dict[str, Config] = {}
        self._rules: dict[Config, frozenset[str]] = {}

    def exclusion_key(self) -> object:
        """What :meth:`excluded` depends on besides the configuration files it finds (None
        when a configuration file was named: its answers are not kept)."""
        if self.fixed is not None and self.fixed.path is not None:
            return None
        patterns = tuple(g.pattern for g in self.cli.exclude)
        return (self.cwd, patterns, self.fixed is not None)

    # which configuration

    def config_at(self, directory: str) -> Config:
        """The configuration closest to ``directory`` (itself or an ancestor)."""
        if self.fixed is not None:
            return self.fixed
        asked = directory
        given = self._by_given.get(asked)
        if given is not None:
            return given
        directory = os.path.realpath(asked)
        cached = self._by_dir.get(directory)
        if cached is not None:
            self._by_given[asked] = cached
            return cached
        found = find_config(directory)
        if found is not None:
            config = self._by_file.get(found) or read_config(found)
            self._by_file[found] = config
        else:
            parent = os.path.dirname(directory)
            config = Config(directory=self.cwd) if parent == directory else self.config_at(parent)
        self._by_dir[directory] = config
        self._by_given[asked] = config
        return config

    def config_for(self, path: str) -> Config:
        """The configuration governing a file (or a directory, as an entry of its parent)."""
        found = self._by_path.get(path)
        if found is None:
            found = self._by_path[path] = self.config_at(os.path.dirname(os.path.abspath(path)))
        return found

    def run_config(self, paths: Sequence[str]) -> Config:
        """The configuration closest to the scanned paths (for run-wide settings)."""
        full = [os.path.realpath(p) for p in paths] or [self.cwd]
        common = os.path.commonpath(full)
        return self.config_at(common if os.path.isdir(common) else os.path.dirname(common))

    # what it says

    def analysis_rules(self) -> frozenset[str]:
        """Rules any file may want: those the command line leaves enabled."""
        return enabled([self.cli.layer], rule_codes())

    def rules(self, path: str) -> frozenset[str]:
        config = self.config_for(path)
        found = self._rules.get(config)
        if found is None:
            found = enabled([config.layer, self.cli.layer], rule_codes())
            self._rules[config] = found
        return found

    def severity(self, path: str, code: str) -> Severity | None:
        best: tuple[int, Severity] | None = None
        for prefix, severity in self.config_for(path).severity:
            if code.startswith(prefix) and (best is None or len(prefix) >= best[0]):
                best = (len(prefix), severity)
        return best[1] if best else None

    def excluded(self, path: str) -> bool:
        path = os.path.abspath(path)
        globs = self.cli.exclude + self.config_for(path).exclude
        return any(g.matches(path) for g in globs)

    def inline_ignores(self, path: str) -> bool:
        for value in (self.cli.inline_ignores, self.config_for(path).inline_ignores):
            if value is not None:
                return value
        return True

    def file_ignore(self, path: str, code: str) -> str | None:
        """Why ``per-file-ignores`` drops ``code`` in ``path`` (None when it does not)."""
        config = self.config_for(path)
        for glob, codes in config.per_file_ignores:
            if _specificity(code, codes) >= 0 and glob.matches(os.path.abspath(path)):
                return f"per-file-ignores {glob.pattern!r} in {config.origin}"
        return None

    def option_ignore(self, path: str, option: str | None, code: str) -> str | None:
        """Why ``per-option-ignores`` drops ``code`` about ``option`` (None when it does not)."""
        if option is None:
            return None
        config = self.config_for(path)
        for pattern, codes in config.per_option_ignores:
            if _specificity(code, codes) >= 0 and option_matches(pattern, option):
                return f"per-option-ignores {pattern!r} in {config.origin}"
        return None

    def fail_on(self, paths: Sequence[str]) -> Severity:
        return self.cli.fail_on or self.run_config(paths).fail_on or Severity.LOW

    def baseline(self, paths: Sequence[str]) -> str | None:
        return self.cli.baseline or self.run_config(paths).baseline


# -- showing it -------------------------------------------------------------------------------

_DEFAULTS: dict[str, object] = {
    "select": ["ALL"],
    "extend-select": [],
    "ignore": [],
    "severity": {},
    "fail-on": "low",
    "exclude": [],
    "per-file-ignores": {},
    "per-option-ignores": {},
    "inline-ignores": True,
    "baseline": None,
}


def describe(config: Config, rules: Iterable[str]) -> dict[str, object]:
    """Each setting's value and which file set it, and the rules left enabled."""
    settings: dict[str, dict[str, object]] = {}
    for key in KEYS:
        if key in config.raw:
            settings[key] = {"value": config.raw[key], "source": config.origin}
        else:
            settings[key] = {"value": _DEFAULTS[key], "source": DEFAULT}
    return {
        "file": display(config.path) if config.path else None,
        "settings": settings,
        "rules": sorted(rules),
    }
