"""Refusals are raised and stored in English (the CLI, the server log, the other instance) and shown on the
network page in the reader's language, recognised by their template."""

import re

from django.utils import translation

from fuhua.federation.package import PackageRefused
from fuhua.federation.reasons import REASONS, _patterns, label


def test_each_template_is_recognised_as_itself():
    for code, template in REASONS.items():
        text = template % {name: f"v{name}" for name in re.findall(r"%\((\w+)\)s", template)}
        assert next(c for c, pattern in _patterns() if pattern.fullmatch(text)) == code


def test_a_stored_refusal_is_shown_in_chinese():
    reason = str(PackageRefused("older_version", table="carriers", record="320500:10", changed="2026-03-01T08:00:00Z",
                                held="2026-03-02T08:00:00Z"))
    assert reason == ("Older version: carriers 320500:10 changed at 2026-03-01T08:00:00Z is older than the version "
                      "held here (2026-03-02T08:00:00Z).")
    with translation.override("zh-hans"):
        assert label(reason) == ("版本较旧：“载体” 320500:10 修改于 2026-03-01T08:00:00Z，"
                                 "早于本实例持有的版本（2026-03-02T08:00:00Z）。")
        assert label("something else") == "something else"
