"""gunicorn embedded, so `fuhua serve` and `fuhua demo` need no separate configuration file."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _FuhuaApplication(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from fuhua.wsgi import application

        return application


def run_gunicorn(bind: str, *, workers: int, production: bool) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's database connection with forked workers
    _FuhuaApplication(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "sync",
            "timeout": 60,
            "accesslog": "-" if production else None,
            "forwarded_allow_ips": "*" if production else "127.0.0.1",
        }
    ).run()
