"""A Textual stylesheet that parses each source once per theme, and our big
stylesheet once per version of it.

Textual 8 refreshes CSS when the first screen of a mode is shown
(`App.refresh_css`): it sets the theme's variables again and reparses every
source into a fresh stylesheet, so its parse cache starts empty and the next
widget class to mount parses everything a third time. Our 880-line
`screens.tcss` takes ~30 ms a parse, so start-up paid ~90 ms for one parse's
worth of rules. Here the variables only clear the cache when they changed (a
new theme), and a reparse parses what the cache does not hold yet.

A source as big as `screens.tcss` is also kept parsed on disk, in the user's
cache directory, like Python's own .pyc files: its rules as a pickle, named
by a hash of everything the parse depends on (the text, where it was read
from, the theme's variables, Textual's version). Loading them takes ~4 ms
instead of ~30 ms of every start. A file that cannot be read or loaded is
parsed again and rewritten; rules with errors are never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

CACHED_FROM_CHARS = 4000
"""Sources this long or longer are kept parsed on disk (widgets' own CSS is short)."""


class ThemeCachedStylesheet(Stylesheet):
    def __init__(self, *, variables: dict[str, str] | None = None, cache_dir: Path | None = None) -> None:
        super().__init__(variables=variables)
        self._theme_variables = dict(variables or {})
        self.cache_dir = cache_dir

    def set_variables(self, variables: dict[str, str]) -> None:
        """Clear parsed rules only when a variable's value changed."""
        if variables == self._theme_variables:
            return
        self._theme_variables = dict(variables)
        super().set_variables(variables)

    def reparse(self) -> None:
        """Parse with the current variables, reusing what is parsed already.

        Like Textual's own reparse, a source with an error raises and leaves
        the rules as they were: `parse` assigns them only at its end."""
        self.parse()

    def _parse_rules(self, css: str, read_from: Any, is_default_rules: bool = False, tie_breaker: int = 0,
                     scope: str = "") -> list[RuleSet]:
        if self.cache_dir is None or len(css) < CACHED_FROM_CHARS:
            return super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
        key = (css, read_from, is_default_rules, tie_breaker, scope)
        if key in self._parse_cache:
            return self._parse_cache[key]
        path = self.cache_dir / f"{self._file_name(key)}.rules"
        try:
            rules = pickle.loads(path.read_bytes())
            if not isinstance(rules, list) or not all(isinstance(rule, RuleSet) for rule in rules):
                raise ValueError("not a list of rule sets")
        except Exception:  # noqa: BLE001 - missing, stale or damaged: parse it, as without a cache
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            if not any(rule.errors for rule in rules):
                _store(path, rules)
            return rules
        self._parse_cache[key] = rules
        return rules

    def _file_name(self, key: tuple) -> str:
        digest = hashlib.sha256()
        for part in (textual.__version__, repr(key[1:]), repr(sorted(self._theme_variables.items())), key[0]):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()[:32]


KEEP_FILES = 8
"""Parsed stylesheets kept (a few themes and versions); older ones are removed."""


def _store(path: Path, rules: list[RuleSet]) -> None:
    """Write the parsed rules atomically (several `crm` may start at once) and
    remove the oldest files beyond KEEP_FILES. Without a cache directory (a
    read-only home, a full disk) every start parses, as Textual does."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(rules, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        stored = sorted(path.parent.glob("*.rules"), key=lambda file: file.stat().st_mtime, reverse=True)
        for old in stored[KEEP_FILES:]:
            old.unlink()
    except Exception:  # noqa: BLE001 - a rule that does not pickle, a file gone meanwhile: no cache this time
        with contextlib.suppress(OSError):
            os.unlink(temporary)
