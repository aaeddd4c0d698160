"""A Textual stylesheet that parses each source once per theme.

Textual 8 refreshes CSS when the first screen of a mode is shown
(`App.refresh_css`): it sets the theme's variables again and reparses every
source into a fresh stylesheet, so its parse cache starts empty and the next
widget class to mount parses everything a third time. Our 880-line
`screens.tcss` takes ~30 ms a parse, so start-up paid ~90 ms for one parse's
worth of rules. Here the variables only clear the cache when they changed (a
new theme), and a reparse parses what the cache does not hold yet.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class ThemeCachedStylesheet(Stylesheet):
    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._theme_variables = dict(variables or {})

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
