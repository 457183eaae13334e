"""Programme reports: aggregate figures over incrementally maintained rollups, small-cell suppression,
charts and CSV/XLSX/PDF exports (docs/reporting.md). The statistics themselves live in `sightline.stats`."""
