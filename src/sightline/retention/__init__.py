"""Retention and the two-person deletion of a youth's record (issue 18, point 9; docs/security.md)."""
