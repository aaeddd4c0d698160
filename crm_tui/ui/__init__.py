"""The Textual user interface: the app, its screens, widgets and dialogs."""
