"""The static files storage compresses a collected file once, not on every `collectstatic` (each `fuhua serve`
start collects): only files changed since their compressed copies were written are compressed again."""

import os

from fuhua.core.staticfiles import IncrementalCompressedStaticFilesStorage


def compressed(storage, names):
    return sorted(name for _, name, _ in storage.post_process(dict.fromkeys(names)))


def test_only_changed_files_are_compressed_again(tmp_path):
    storage = IncrementalCompressedStaticFilesStorage(location=str(tmp_path), base_url="/static/")
    for name in ("app.css", "app.js"):
        (tmp_path / name).write_text("body { color: #333; }\n" * 200)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG" + bytes(2000))  # never compressed (whitenoise's own rule)

    assert compressed(storage, ["app.css", "app.js", "logo.png"]) == [
        "app.css.br", "app.css.gz", "app.js.br", "app.js.gz"]
    assert compressed(storage, ["app.css", "app.js", "logo.png"]) == []

    # collectstatic copies a changed source over the collected file: newer than its compressed copies.
    later = os.stat(tmp_path / "app.css.gz").st_mtime_ns + 1_000_000_000
    (tmp_path / "app.js").write_text("let changed = true;\n" * 200)
    os.utime(tmp_path / "app.js", ns=(later, later))
    assert compressed(storage, ["app.css", "app.js", "logo.png"]) == ["app.js.br", "app.js.gz"]
