"""De-identified research export (issue 18, point 5): see `deidentify` and `export`."""
