"""The app shell: it starts headless, shows who and when, and switches screens."""

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


async def test_footer_at_80_columns_shows_help_first_and_the_screens_as_one_item(rep: User) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey, FooterLabel

    app = make_app(rep)
    async with app.run_test(size=(80, 24)) as pilot:
        footer = app.screen.query_one(Footer)
        shown: list[str] = []
        for _ in range(50):  # the footer recomposes after each focus change: wait until it settles
            await pilot.pause(0.02)
            keys = list(footer.query(FooterKey))
            if keys and [key.key for key in keys] == shown:
                break
            shown = [key.key for key in keys]
        assert keys[0].key == "question_mark" and keys[0].region.right <= 80
        assert [key.key for key in keys].count("question_mark") == 1
        screens = [label for label in footer.query(FooterLabel) if "Screens" in str(label.render())]
        assert screens and screens[0].region.right < 80  # 1-4 fit, as "1234 Screens"


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
