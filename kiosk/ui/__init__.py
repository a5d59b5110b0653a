"""The Textual touchscreen UI: one thin screen per workflow state."""
