"""Modal dialogs: each a ModalScreen[T] that dismisses a typed result."""
