"""The kernel's contribution to the `fuhua` command: operations (see ops_cli)."""

from .ops_cli import backup, restore, scheduler

cli_groups = [backup, restore, scheduler]  # mounted by the shell (fuhua/cli.py)
