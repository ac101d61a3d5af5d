"""The service categories as data (data/categories.yaml): read, and loaded into ServiceCategory."""

from __future__ import annotations

from pathlib import Path

import yaml

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "categories.yaml"


def read_categories(path: Path = CATEGORIES_FILE) -> list[dict]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for order, row in enumerate(rows, start=1):
        if not row.get("code") or not row.get("name"):
            raise ValueError(f"{path}: every category needs a code and a name ({row!r})")
        row.setdefault("order", order * 10)
    return rows


def load_categories(model, path: Path = CATEGORIES_FILE) -> tuple[int, int]:
    """Create the categories the file adds and update the names of those it has; (created, updated).
    `model` is ServiceCategory (or its historical version in a migration)."""
    created = updated = 0
    for row in read_categories(path):
        values = {"name": row["name"], "name_en": row.get("name_en", ""), "description": row.get("description", ""),
                  "order": row["order"]}
        obj, made = model.objects.get_or_create(code=row["code"], defaults=values)
        if made:
            created += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            updated += 1
    return created, updated
