"""Business rules and queries: plain Python over the models, no Textual.

The TUI, the CLI, the alert mailer and the tests all call these functions,
so a rule lives in one place.
"""
