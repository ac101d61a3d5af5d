"""`fuhua stats` and `fuhua firms`: exit status, errors printed, annotated workbook, acting as a user."""

import pytest
from click.testing import CliRunner

from fuhua.statistics.cli import firms, stats
from fuhua.statistics.models import AnnualReport

from .workbooks import report_book, report_row

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_setup(monkeypatch):
    monkeypatch.setattr("fuhua.statistics.cli._setup_django", lambda: None)


def test_template_import_export(world, tmp_path, no_setup):
    from fuhua.statistics.definitions import form_for_year
    from fuhua.statistics.testing import complete_values

    runner = CliRunner()
    out = tmp_path / "t.xlsx"
    result = runner.invoke(stats, ["template", "--year", "2024", "-o", str(out), "--region", "320500"])
    assert result.exit_code == 0 and "1 carriers" in result.output, result.output
    path = report_book(tmp_path / "r.xlsx", 2024,
                       [report_row(2024, world.carrier_a, complete_values(form_for_year(2024)))])
    dry = runner.invoke(stats, ["import", path, "--year", "2024", "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.output and not AnnualReport.objects.exists()
    refused = runner.invoke(stats, ["import", path, "--year", "2024", "--as", "bureau_nj",
                                    "--errors-out", str(tmp_path / "e.xlsx")])
    assert refused.exit_code == 1 and "ERROR 年度统计2024!A2" in refused.output
    assert (tmp_path / "e.xlsx").exists()
    done = runner.invoke(stats, ["import", path, "--year", "2024", "--as", "bureau_sz"])
    assert done.exit_code == 0 and AnnualReport.objects.count() == 1, done.output
    exported = runner.invoke(stats, ["export", "--year", "2024", "-o", str(tmp_path / "x.xlsx"), "--all-statuses"])
    assert exported.exit_code == 0


def test_firms_import_errors_exit_non_zero(world, tmp_path, no_setup):
    bad = tmp_path / "firms.xlsx"
    bad.write_bytes(b"not excel")
    result = CliRunner().invoke(firms, ["import", str(bad)])
    assert result.exit_code == 1 and "not an Excel workbook" in result.output
    assert CliRunner().invoke(firms, ["template", "-o", str(tmp_path / "f.xlsx")]).exit_code == 0
