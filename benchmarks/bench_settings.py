"""Fuhua's settings plus one bare django-ninja endpoint, so both are measured by the same server."""

from fuhua.settings import *  # noqa: F403  (benchmark-only overlay of the real settings)

ROOT_URLCONF = "bench_urls"
DEBUG = False
