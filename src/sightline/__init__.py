"""Sightline: a screening platform for the CSE-IT.

The pure cores (`sightline.instruments`, later `sightline.stats`) import no Django; the Django
project lives in `sightline.config` and the domain apps beside it.
"""

__version__ = "0.1.0"
