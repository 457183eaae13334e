"""The catalog of installed instrument definitions: the one place pages and services read them from.

Each installed version is a database row holding the file's exact text and its sha256 (`models`),
installed by a validating step that refuses a broken file (`services`), and read through `selectors`,
which parse each version once per process. See docs/instruments.md.
"""
