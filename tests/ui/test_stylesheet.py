"""Styles parse once per theme, and our big stylesheet once per version of it
(ui/stylesheet.py): what lands on disk, and that the rules are the same."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import textual.css.stylesheet as textual_stylesheet
from textual.app import App

from crm_tui.models import User
from crm_tui.ui.app import make_app
from crm_tui.ui.stylesheet import KEEP_FILES, ThemeCachedStylesheet

CSS = (Path(__file__).resolve().parents[2] / "screens.tcss").read_text()
SOURCE = ("screens.tcss", "")


def _parsed(cache: Path, variables: dict[str, str]) -> list[str]:
    sheet = ThemeCachedStylesheet(variables=variables, cache_dir=cache)
    sheet.add_source(CSS, read_from=SOURCE)
    return [rule.css for rule in sheet.rules]


def test_a_second_start_reads_the_parsed_rules_without_parsing(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    variables = App().get_css_variables()
    first = _parsed(tmp_path, variables)
    assert len(list(tmp_path.glob("*.rules"))) == 1

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(textual_stylesheet, "parse", no_parsing)
    assert _parsed(tmp_path, variables) == first


def test_another_theme_or_a_damaged_file_parses_again(tmp_path: Path) -> None:
    variables = App().get_css_variables()
    first = _parsed(tmp_path, variables)
    other = _parsed(tmp_path, {**variables, "panel": "#ff0000"})
    assert other != first and len(list(tmp_path.glob("*.rules"))) == 2
    for file in tmp_path.glob("*.rules"):
        file.write_bytes(b"not a pickle")
    assert _parsed(tmp_path, variables) == first  # parsed, and the file rewritten
    assert _parsed(tmp_path, variables) == first


def test_a_damaged_source_in_the_file_parses_that_source_again(tmp_path: Path) -> None:
    variables = App().get_css_variables()
    first = _parsed(tmp_path, variables)
    (file,) = tmp_path.glob("*.rules")
    identity, sources = pickle.loads(file.read_bytes())
    sources = {key: (css, b"not a pickle") for key, (css, _) in sources.items()}
    file.write_bytes(pickle.dumps((identity, sources)))
    assert _parsed(tmp_path, variables) == first  # parsed, and the entry stored again
    _, sources = pickle.loads(file.read_bytes())
    assert [rule.css for rule in pickle.loads(sources[(SOURCE, False, 0, "")][1])] == first


def test_the_cache_keeps_a_few_files(tmp_path: Path) -> None:
    variables = App().get_css_variables()
    for shade in range(KEEP_FILES + 3):
        _parsed(tmp_path, {**variables, "panel": f"#0000{shade:02x}"})
    assert len(list(tmp_path.glob("*.rules"))) == KEEP_FILES


def test_css_with_an_error_is_not_kept(tmp_path: Path) -> None:
    sheet = ThemeCachedStylesheet(variables=App().get_css_variables(), cache_dir=tmp_path)
    sheet.add_source(CSS + "\nScreen { colour: red; }\n", read_from=SOURCE)
    with pytest.raises(Exception):
        sheet.parse()
    assert not list(tmp_path.glob("*.rules"))


async def test_the_app_keeps_its_parsed_styles_in_the_user_cache(rep: User, tmp_path: Path) -> None:
    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    assert list((tmp_path / "xdg-cache" / "crm_tui" / "styles").glob("*.rules"))


async def test_the_app_starts_again_without_parsing_any_css(rep: User, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    async with make_app(rep).run_test(size=(100, 30)) as pilot:
        await pilot.pause()

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(textual_stylesheet, "parse", no_parsing)
    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # The styles are there: an empty Today shows what to do, not the list.
        assert app.screen.query_one("#today-empty").display
        assert not app.screen.query_one("#today-list").display
