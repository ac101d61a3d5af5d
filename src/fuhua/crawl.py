"""A link crawl as each signed-in user: every page reachable by following links and GET forms from the
dashboard, checked for server errors and for dead ends (a link or button the page itself shows that
answers 403, 404 or a redirect to the login page).

Used by the test on the small demo (`core/tests/test_link_crawl.py`) and by `benchmarks/crawl_demo.py`
for the province demo. It only sends GET requests through Django's test client, in process.

Bounded: pages are grouped by their URL pattern (the resolver's route plus the names of the query
parameters), and at most `per_pattern` pages of each group are fetched, so a list of 2,000 carriers costs
a few requests, not 2,000.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

# Paths that are not pages: assets, sign-out, the language switch (a POST).
SKIP_PREFIXES = ("/static/", "/media/", "/logout", "/accounts/logout", "/i18n/")


VARIANT_KEYS = ("page", "sort", "per_page")


class _Links(HTMLParser):
    """Collects hrefs of <a>, hx-get of any element and the targets of GET forms."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href") and "download" not in a:
            self.links.append(a["href"])
        elif a.get("hx-get"):
            self.links.append(a["hx-get"])
        elif tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self.links.append(a["action"])


@dataclass
class Problem:
    user: str
    url: str
    status: int
    found_on: str

    def __str__(self):
        return f"{self.user}: {self.status} {self.url} (linked from {self.found_on})"


@dataclass
class CrawlResult:
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    per_user: dict[str, int] = field(default_factory=dict)


def _pattern(path: str, query: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # Sorting, paging and page size show the same page again: one of them stands for all.
    keys = sorted({k for k, _ in parse_qsl(query, keep_blank_values=True) if k not in VARIANT_KEYS})
    return f"{match.route}?{'&'.join(keys)}"


def _normalise(base: str, href: str) -> tuple[str, str] | None:
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "testserver"):
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path, query


def crawl(client, users, *, start: str = "/", per_pattern: int = 3, max_pages: int = 4000) -> CrawlResult:
    """Crawl as each user (a `django.test.Client` is logged in with `force_login`)."""
    result = CrawlResult()
    for user in users:
        client.force_login(user)
        seen_urls: set[str] = set()
        per: dict[str, int] = {}
        queue = deque([(start, "", "(start)")])
        visited = 0
        while queue and visited < max_pages:
            path, query, found_on = queue.popleft()
            url = f"{path}?{query}" if query else path
            if url in seen_urls:
                continue
            seen_urls.add(url)
            pattern = _pattern(path, query)
            if pattern is None:
                result.problems.append(Problem(user.username, url, 404, found_on))
                continue
            if per.get(pattern, 0) >= per_pattern:
                continue
            per[pattern] = per.get(pattern, 0) + 1
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            visited += 1
            status = response.status_code
            if status in (301, 302):
                target = response.get("Location", "")
                if "/login" in target:
                    result.problems.append(Problem(user.username, url, status, found_on))
                    continue
                nxt = _normalise(url, target)
                if nxt:
                    queue.append((*nxt, url))
                continue
            if status >= 400:
                result.problems.append(Problem(user.username, url, status, found_on))
                continue
            if "html" not in response.get("Content-Type", ""):
                continue
            parser = _Links()
            parser.feed(response.content.decode("utf-8", "replace"))
            for href in parser.links:
                nxt = _normalise(url, href)
                if nxt:
                    queue.append((*nxt, url))
        result.pages += visited
        result.per_user[user.username] = visited
        client.logout()
    return result
