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
