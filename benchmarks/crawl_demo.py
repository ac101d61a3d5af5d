"""Crawl the demo as every printed demo account: no 5xx anywhere, no dead link or button.

    FUHUA_HOME=var .venv/bin/fuhua demo --scale province --no-serve   # once
    FUHUA_HOME=var .venv/bin/python benchmarks/crawl_demo.py [--per-pattern 3]

Runs in process (Django's test client, GET requests only) against the demo database in FUHUA_HOME and
prints pages crawled per account, the time taken and every problem found; exits 1 when there is one.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuhua.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-pattern", type=int, default=3, help="pages fetched per URL pattern and account")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from fuhua.crawl import crawl

    setup_test_environment()  # the test client's host and response attributes
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = list(get_user_model().objects.filter(email__endswith="@demo.fuhua.cn", is_active=True).order_by("username"))
    if not users:
        print("no demo accounts: run `fuhua demo --no-serve` with this FUHUA_HOME first", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = crawl(Client(), users, per_pattern=args.per_pattern)
    elapsed = time.perf_counter() - started
    for username, pages in result.per_user.items():
        print(f"{username:24} {pages:5} pages")
    print(f"{result.pages} pages in {elapsed:.1f} s, {len(result.problems)} problems")
    for problem in result.problems:
        print(f"  {problem}")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
