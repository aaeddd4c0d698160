"""The app shell: it starts headless, shows who and when, and switches screens."""

import pytest

from crm_tui.models import User
from crm_tui.ui.app import make_app


async def test_keys_1_to_4_switch_between_the_four_screens(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.current_mode == "today"
        for key, mode in (("2", "plan"), ("3", "records"), ("4", "exceptions"), ("1", "today")):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode


async def test_header_shows_user_and_local_time(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Ann Lee" in app.sub_title
        assert "Wed 18 Nov 10:00" in app.sub_title  # 09:00 UTC is 10:00 in Berlin


async def test_help_lists_keys(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        assert "Undo my last change" in text and "Quit crm" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "today" and len(app.screen_stack) == 1


async def test_help_puts_crm_keys_before_the_generic_moving_keys(rep: User) -> None:
    app = make_app(rep, start_mode="exceptions")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        assert text.index("command palette") < text.index("Group by rule or by owner")
        assert text.index("Undo my last change") < text.index("Moving around") < text.index("Cursor down")


def _bottom_line(app) -> str:  # type: ignore[no-untyped-def]
    """The key bar as the user sees it: the screen's last line of text."""
    from crm_tui.ui.widgets.key_bar import KeyBar

    bar = app.screen.query_one(KeyBar)
    return "".join(segment.text for segment in bar.render_line(0))


async def test_key_bar_at_80_columns_shows_help_first_and_whole_items_only(rep: User) -> None:
    from crm_tui.ui.widgets.key_bar import KeyBar

    app = make_app(rep)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        line = _bottom_line(app)
        assert len(line) == 80
        assert line.startswith(" ? Help c Complete")
        assert line.rstrip().endswith("^p palette")
        shown = bar.shown()
        assert shown[0] == ("?", "Help") and shown[-1] == ("^p", "palette")
        for keys, description in shown:  # nothing cut mid-word
            assert f"{keys} {description}" in line


async def test_key_bar_shows_the_four_screens_as_one_item_when_wide(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        line = _bottom_line(app)
        assert "  1234 Screens  " in line and "  q Quit  " in line  # wide: two spaces between items


async def test_clicking_a_key_on_the_bar_presses_it(rep: User) -> None:
    from crm_tui.ui.widgets.key_bar import KeyBar

    app = make_app(rep)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        line = _bottom_line(app)
        await pilot.click(KeyBar, offset=(line.index("1234 Screens") + 2, 0))  # the "3"
        await pilot.pause()
        assert app.current_mode == "records"
        await pilot.pause()
        await pilot.click(KeyBar, offset=(_bottom_line(app).index("? Help"), 0))
        await pilot.pause()
        assert app.screen.query("#help-text")


async def test_key_bar_follows_the_focused_widget_and_the_screen(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        assert "c Complete" in _bottom_line(app)
        await pilot.press("3")
        await pilot.pause()
        line = _bottom_line(app)
        assert "/ Search" in line and "c Complete" not in line
        for mode in ("2", "4"):  # the calendar's and the table's own keys come before the screen's
            await pilot.press(mode)
            await pilot.pause()
            assert _bottom_line(app).startswith(" ? Help  "), mode


async def test_title_bar_shows_who_and_when_in_the_first_frame(rep: User) -> None:
    from crm_tui.ui.widgets.title_bar import TitleBar

    app = make_app(rep)
    async with app.run_test(size=(100, 30)):
        top = "".join(segment.text for segment in app.screen.query_one(TitleBar).render_line(0))
        assert top.startswith(" ◆ ") and "crm — Ann Lee · Wed 18 Nov 10:00 · Europe/Berlin" in top


async def test_a_new_theme_restyles_the_screen(rep: User) -> None:
    """Styles are parsed once per theme (ui/stylesheet.py): a theme change must still re-parse."""
    from crm_tui.ui.widgets.title_bar import TitleBar

    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        dark = app.screen.query_one(TitleBar).styles.background
        app.theme = "textual-light"
        await pilot.pause()
        assert app.screen.query_one(TitleBar).styles.background != dark
        app.theme = "textual-dark"
        await pilot.pause()
        assert app.screen.query_one(TitleBar).styles.background == dark


async def test_a_long_key_description_wraps_beside_the_key_column(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        lines = str(app.screen.query_one("#help-text").render()).splitlines()
        start = next(i for i, line in enumerate(lines) if "Complete the activity" in line)
        assert lines[start].startswith(" " * 13 + "c  ")
        assert lines[start + 1].startswith(" " * 16) and lines[start + 1].strip()  # the rest, indented


async def test_key_bar_packs_tighter_when_the_terminal_narrows(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        assert _bottom_line(app).startswith(" ? Help  c Complete")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        line = _bottom_line(app)
        assert line.startswith(" ? Help c Complete") and len(line) == 80
        assert app.screen.has_class("-narrow") and not app.screen.has_class("-wide")


@pytest.mark.parametrize(("width", "expected"), [(80, "-narrow"), (120, "-wide")])
async def test_a_screen_starts_with_the_width_class_of_the_terminal(rep: User, width: int, expected: str) -> None:
    app = make_app(rep)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        assert app.screen.has_class(expected)
        assert not app.screen.has_class({"-narrow": "-wide", "-wide": "-narrow"}[expected])
        await pilot.press("4")  # a screen built later gets it too
        await pilot.pause()
        assert app.screen.has_class(expected)


async def test_garbage_collection_resumes_after_a_start_without_it(rep: User) -> None:
    """`crm` starts the app with the collector off (cli.main); the app turns it back on."""
    import gc

    gc.disable()
    try:
        app = make_app(rep)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert not gc.isenabled()
            await pilot.pause(1.2)
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


async def test_clicking_the_title_bar_icon_opens_the_command_palette(rep: User) -> None:
    from textual.command import CommandPalette

    from crm_tui.ui.widgets.title_bar import TitleBar

    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
