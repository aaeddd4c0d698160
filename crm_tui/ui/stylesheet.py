"""A Textual stylesheet that parses each source once per theme, and keeps the
parsed rules on disk between starts.

Textual 8 refreshes CSS when the first screen of a mode is shown
(`App.refresh_css`): it sets the theme's variables again and reparses every
source into a fresh stylesheet, so its parse cache starts empty and the next
widget class to mount parses everything a third time. Our 880-line
`screens.tcss` takes ~30 ms a parse, so start-up paid ~90 ms for one parse's
worth of rules. Here the variables only clear the cache when they changed (a
new theme), and a reparse parses what the cache does not hold yet.

The parsed rules of every source (`screens.tcss` and each widget's default
CSS) are also kept on disk, in the user's cache directory, like Python's own
.pyc files: one pickle per theme and installed Textual, holding each source's
text beside its rules, so a source is taken only when its text is the same.
Each source's rules are pickled on their own and unpickled only when that
source is parsed: the file holds every widget that any screen showed
(~330 KB), and unpickling all of it cost ~16 ms of every start where Today
needs ~4 ms of it. A file that cannot be read or loaded counts as empty and
is written again; rules with errors are never stored.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import zlib
from pathlib import Path
from typing import Any

import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

KEEP_FILES = 8
"""Parsed stylesheets kept (a few themes and Textual versions); older ones are removed."""

FILE_FORMAT = 2
"""Part of each file's name and identity: a file in an earlier layout is never read."""

Key = tuple[Any, bool, int, str]
"""Where a source was read from, and how it is applied: (read_from, is_default_rules, tie_breaker, scope)."""


class ThemeCachedStylesheet(Stylesheet):
    def __init__(self, *, variables: dict[str, str] | None = None, cache_dir: Path | None = None) -> None:
        super().__init__(variables=variables)
        self._theme_variables = dict(variables or {})
        self.cache_dir = cache_dir
        self._stored: _StoredRules | None = None

    def set_variables(self, variables: dict[str, str]) -> None:
        """Clear parsed rules only when a variable's value changed."""
        if variables == self._theme_variables:
            return
        self._theme_variables = dict(variables)
        self._stored = None
        super().set_variables(variables)

    def reparse(self) -> None:
        """Parse with the current variables, reusing what is parsed already.

        Like Textual's own reparse, a source with an error raises and leaves
        the rules as they were: `parse` assigns them only at its end."""
        self.parse()

    def parse(self) -> None:
        """Parse, then write newly parsed sources to disk (after the first start, none)."""
        try:
            super().parse()
        finally:
            if self._stored is not None:
                self._stored.save()

    def _parse_rules(self, css: str, read_from: Any, is_default_rules: bool = False, tie_breaker: int = 0,
                     scope: str = "") -> list[RuleSet]:
        """Textual's parse cache first, then the rules stored on disk, then a parse (stored if error-free)."""
        parsed_key = (css, read_from, is_default_rules, tie_breaker, scope)  # Textual's _parse_cache key
        if self.cache_dir is None or parsed_key in self._parse_cache:
            return super()._parse_rules(*parsed_key)
        if self._stored is None:
            self._stored = _StoredRules(self.cache_dir, self._theme_variables)
        key = (read_from, is_default_rules, tie_breaker, scope)
        rules = self._stored.get(key, css)
        if rules is None:
            rules = super()._parse_rules(*parsed_key)
            if not any(rule.errors for rule in rules):
                self._stored.put(key, css, rules)
        else:
            self._parse_cache[parsed_key] = rules
        return rules


class _StoredRules:
    """The rules of one theme on disk: {source key: (its text, its rules pickled)}.

    The file is named by a checksum of the theme's variables and the installed
    Textual (its modules' sizes and times: asking for Textual's version would
    load importlib.metadata, ~15 ms); both are stored inside too and compared in
    full, so a checksum collision only means a parse."""

    def __init__(self, cache_dir: Path, variables: dict[str, str]) -> None:
        self.identity = (FILE_FORMAT, _textual_signature(), sorted(variables.items()))
        self.path = cache_dir / f"{zlib.crc32(repr(self.identity).encode('utf-8', 'surrogatepass')):08x}.rules"
        self.sources: dict[Key, tuple[str, bytes]] = {}
        self.changed = False
        with contextlib.suppress(Exception):  # missing, stale or damaged: as without a cache
            identity, sources = pickle.loads(self.path.read_bytes())
            if identity == self.identity and isinstance(sources, dict):
                self.sources = sources

    def get(self, key: Key, css: str) -> list[RuleSet] | None:
        try:
            text, pickled = self.sources[key]
            if text != css:
                return None
            rules = pickle.loads(pickled)
        except Exception:  # noqa: BLE001 - not stored, or a damaged entry: parse that source again
            return None
        if not isinstance(rules, list) or not all(isinstance(rule, RuleSet) for rule in rules):
            return None
        return rules

    def put(self, key: Key, css: str, rules: list[RuleSet]) -> None:
        """Keep a source's rules; a new text of the same source replaces the old one.
        Rules that do not pickle are not kept: that source is parsed at every start."""
        try:
            pickled = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - whatever a future Textual puts in a rule
            return
        self.sources[key] = (css, pickled)
        self.changed = True

    def save(self) -> None:
        """Write the rules atomically (several `crm` may start at once) and remove
        the oldest files beyond KEEP_FILES. Without a cache directory (a
        read-only home, a full disk) every start parses, as Textual does."""
        if not self.changed:
            return
        self.changed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((self.identity, self.sources), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
            stored = sorted(self.path.parent.glob("*.rules"), key=lambda file: file.stat().st_mtime, reverse=True)
            for old in stored[KEEP_FILES:]:
                old.unlink()
        except Exception:  # noqa: BLE001 - a full disk, a file gone meanwhile: no cache this time
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _textual_signature() -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of Textual's modules (those that parse
    CSS and define what the rules hold): a new Textual rewrites them."""
    package = Path(textual.__file__).parent
    signature = []
    for folder in (package, package / "css"):
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    stat = entry.stat()
                    signature.append((f"{folder.name}/{entry.name}", stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(signature))
