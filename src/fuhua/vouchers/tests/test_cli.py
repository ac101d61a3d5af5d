"""`fuhua vouchers …` from the shell: the packs with their cases, setup as the system, expiry, an audit sample
and the budget as a user (scoped: another city's programme is not found)."""

from click.testing import CliRunner

from fuhua.vouchers.cli import vouchers
from fuhua.vouchers.models import Batch, VoucherProgramme


def test_programmes_lists_the_packs_and_runs_their_cases():
    result = CliRunner().invoke(vouchers, ["programmes", "--test"])
    assert result.exit_code == 0, result.output
    assert "hefei-hechuang" in result.output and "30,000,000.00 yuan, 1,500 × 20,000" in result.output
    assert result.output.count("test ok") == 4


def test_setup_expire_sample_and_budget(vworld, v, tmp_path):
    runner = CliRunner()
    result = runner.invoke(vouchers, ["setup", "hefei-hechuang"])
    assert result.exit_code == 0, result.output
    assert VoucherProgramme.objects.get(code="hefei-hechuang").region_id == "340171"
    assert Batch.objects.filter(programme__code="hefei-hechuang", status="draft").count() == 2
    result = runner.invoke(vouchers, ["expire"])
    assert result.exit_code == 0 and "lapsed 0 vouchers" in result.output, result.output
    out = tmp_path / "budget.xlsx"
    result = runner.invoke(vouchers, ["budget", "suzhou-demo-voucher", "--user", "bureau_sz", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK" and "True" in result.output
    result = runner.invoke(vouchers, ["budget", "nanjing-demo-voucher", "--user", "bureau_sz"])
    assert result.exit_code == 1 and "no programme" in result.output
    result = runner.invoke(vouchers, ["audit-sample", "suzhou-demo-voucher", "--user", "bureau_sz", "--seed", "5"])
    assert result.exit_code == 1 and "该项目已没有可供抽查的已结算兑付" in result.output  # all sampled
