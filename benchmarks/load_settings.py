"""Settings of the load benchmark's server: the product's settings, with the benchmark's URL conf.

Only `benchmarks.load` uses it (through DJANGO_SETTINGS_MODULE for its gunicorn server); the product's
own URLs never include the bare view.
"""

from sightline.config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_urls"
