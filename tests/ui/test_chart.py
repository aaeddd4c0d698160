"""The text chart reads without colour: bars of blocks, and the numbers beside them."""

from crm_tui.ui.widgets.chart import Bar, render_bars


def test_bars_are_blocks_with_their_numbers() -> None:
    text = render_bars("Touched", [Bar("Mon", 0.5, "50% (1 of 2)"), Bar("Tue", None, "no data"),
                                   Bar("Wed", 1.0, "100% (3 of 3)")], width=10)
    lines = text.plain.splitlines()
    assert lines == ["Touched", "Mon █████░░░░░ 50% (1 of 2)", "Tue -          no data",
                     "Wed ██████████ 100% (3 of 3)"]
