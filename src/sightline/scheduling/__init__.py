"""Screening schedule rules: pure Python (no Django), so worklists and tests pass `today` explicitly."""
