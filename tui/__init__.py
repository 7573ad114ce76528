"""The review UI: a Textual app over the provenance library (see tui/app.py)."""
