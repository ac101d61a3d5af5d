"""Citations name the document a reader can look up (its title and 文号, or the newsletter article, its section and
its source), never a working file of the project: no pack, scheme or data file under src/fuhua says "seed 001" or
"domain brief", not even in a comment."""

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
INTERNAL = re.compile(r"seed \d{3}|domain (brief|notes)", re.IGNORECASE)


def yaml_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def internal_names(text: str) -> list[str]:
    return [m.group(0) for m in INTERNAL.finditer(text)]


def test_the_walk_covers_every_kind_of_pack_and_data_file():
    found = {p.relative_to(PACKAGE).parent.as_posix() for p in yaml_files()}
    assert {"rules/packs", "policies/packs", "vouchers/packs", "evaluation/schemes", "steering/data",
            "desk/data"} <= found


@pytest.mark.parametrize("text", ["source: seed 003", "(SEED 000, 政策速递)", "依地方办法（domain brief §4）",
                                  "the usual parameters (domain notes §6)"])
def test_an_internal_name_is_caught(text):
    assert internal_names(text)


@pytest.mark.parametrize("text", ["source: 江苏省孵化器协会简报·政策速递"
                                  "《苏州科技局发布〈科技创业孵化载体管理实施细则（试行）〉》（来源：苏州市科技局网站）",
                                  "a seeded random sample (seed 7)", "veto_no_seed_investment", "种子投资"])
def test_a_document_name_passes(text):
    assert not internal_names(text)


def test_no_pack_scheme_or_data_file_cites_an_internal_working_file():
    bad = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()[:120]}"
           for path in yaml_files()
           for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if internal_names(line)]
    assert not bad, "citations must name the document, not an internal file:\n" + "\n".join(bad)
