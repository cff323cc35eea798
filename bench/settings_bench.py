"""Settings of the benchmark server: the product's settings plus the framework-floor route.

Only ``bench/run.py`` uses this module (``DJANGO_SETTINGS_MODULE=bench.settings_bench``);
the product's URLconf is untouched.
"""

from bakohumas.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
