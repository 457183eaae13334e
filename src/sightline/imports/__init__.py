"""Bulk import of youth, intakes and historical screenings from an agency's files, and export of its data."""
