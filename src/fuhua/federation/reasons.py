"""Why a package was refused or a sync failed: each reason a sentence under a code, marked for translation.

The sentence is raised, stored (PackageLog.reason, Peer.last_error) and printed by the CLI in English, the
words the server log and the other instance's engineers share; the network page shows it in the reader's
language: `label()` recognises the stored sentence by its template and translates it with the same values.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext, gettext_noop

REASONS = {
    # the archive (package.py)
    "unexpected_entry": gettext_noop("The archive holds an unexpected entry %(name)s."),
    "damaged": gettext_noop("The archive is truncated or damaged (%(error)s); nothing was imported."),
    "no_manifest": gettext_noop("The archive has no readable manifest.json and manifest.sig."),
    "manifest_not_object": gettext_noop("The manifest or its signature is not a JSON object."),
    "bad_signature": gettext_noop("Bad signature: the manifest is not signed by the key registered for %(sender)s."),
    "file_missing": gettext_noop("Wrong checksum: %(path)s is listed in the manifest but missing."),
    "file_changed": gettext_noop("Wrong checksum: %(path)s is not the file the sender signed."),
    "file_unlisted": gettext_noop("Wrong checksum: %(path)s is not listed in the signed manifest."),
    "no_descriptor": gettext_noop("The signed manifest does not list datapackage.json."),
    "line_not_json": gettext_noop("%(path)s line %(line)s is not JSON."),
    "line_not_object": gettext_noop("%(path)s line %(line)s is not a JSON object."),
    # the sender and the positions (exchange._check)
    "unknown_peer": gettext_noop("Unknown peer: %(sender)s is not registered here."),
    "from_parent": gettext_noop("%(peer)s is this instance's parent: packages are received from children only."),
    "not_a_package": gettext_noop("This is not a Fuhua network package (datapackage.json has no fuhua section)."),
    "future_version": gettext_noop("The package uses format version %(version)s; this instance reads up to version "
                                   "%(supported)s. Upgrade Fuhua here first."),
    "descriptor_mismatch": gettext_noop("The descriptor does not match the signed manifest (sender or package id)."),
    "wrong_target": gettext_noop("The package is addressed to %(target)s, not to this instance (%(own)s)."),
    "replayed": gettext_noop("Replayed or outdated package: it ends at position %(end)s, and %(peer)s has already "
                             "delivered everything up to %(position)s."),
    "changes_missing": gettext_noop("Changes are missing: the package starts after position %(start)s, but only "
                                    "%(position)s has been received from %(peer)s. Export again from there."),
    # the tables and records (exchange._plan, _precheck, _check_versions, _RefCache)
    "unknown_table": gettext_noop("Unknown table %(table)s in the package."),
    "table_not_shared": gettext_noop("%(peer)s is not set to share %(table)s with this instance; change the peer's "
                                     "shared tables here first if it should."),
    "schema_differs": gettext_noop("The schema of %(table)s differs from this version's: %(fields)s."),
    "bad_record": gettext_noop("A record of %(table)s has no valid _op, _origin and _id."),
    "bad_time": gettext_noop("%(table)s %(record)s has no valid _changed time."),
    "region_not_code": gettext_noop("%(table)s %(record)s: a region must be a code."),
    "outside_region": gettext_noop("%(table)s %(record)s lies in %(regions)s, outside the region of %(peer)s "
                                   "(%(prefix)s…): refused."),
    "twice": gettext_noop("%(table)s %(record)s appears twice in the package."),
    "not_a_reference": gettext_noop("%(table)s %(record)s: %(field)s is not a reference."),
    "unknown_regions": gettext_noop("Unknown region codes: %(codes)s."),
    "never_received": gettext_noop("A record refers to %(table)s %(record)s, which was never received."),
    "reference_missing": gettext_noop("%(table)s %(record)s is referred to but not here."),
    "other_peer": gettext_noop("%(table)s %(record)s is received from another peer; %(peer)s may not change it."),
    "older_version": gettext_noop("Older version: %(table)s %(record)s changed at %(changed)s is older than the "
                                  "version held here (%(held)s)."),
    # pulling over HTTP (transport.py)
    "no_address": gettext_noop("%(peer)s has no address to pull from."),
    "not_http": gettext_noop("%(url)s is not an http(s) address."),
    "answered": gettext_noop("%(peer)s answered %(status)s: %(detail)s"),
    "unreachable": gettext_noop("%(peer)s cannot be reached: %(error)s"),
}


class Reason(Exception):
    """An exception whose message is one of REASONS, in English, filled with `params`."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(REASONS[code] % params)


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    """Each template as a pattern recovering its values (built on first use, not at import)."""
    patterns = []
    for code, template in REASONS.items():
        parts = re.split(r"%\((\w+)\)s", template)  # text, name, text, name, …, text
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts))
        patterns.append((code, re.compile(regex, re.DOTALL)))
    return patterns


def label(text: str) -> str:
    """A stored reason in the reader's language (as it is when it matches no template, e.g. cut at 500); a
    table is named by its label."""
    from .tables import BY_KEY

    for code, pattern in _patterns():
        match = pattern.fullmatch(text or "")
        if match:
            values = match.groupdict()
            if values.get("table") in BY_KEY:
                values["table"] = BY_KEY[values["table"]].label
            return gettext(REASONS[code]) % values
    return text
