"""One module per screen; the four main ones are the app's modes."""
