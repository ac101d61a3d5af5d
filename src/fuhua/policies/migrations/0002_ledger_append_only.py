"""PostgreSQL: the payout ledger rejects UPDATE and DELETE from any client (not only through Django).

TRUNCATE stays possible for test databases; a real database grants no one TRUNCATE on it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION policies_payout_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'policies_payout is append-only: add a reversing entry instead of %', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS policies_payout_append_only ON policies_payout;
CREATE TRIGGER policies_payout_append_only BEFORE UPDATE OR DELETE ON policies_payout
  FOR EACH ROW EXECUTE FUNCTION policies_payout_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS policies_payout_append_only ON policies_payout;
DROP FUNCTION IF EXISTS policies_payout_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no parameters: the SQL contains a literal %
    return run


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
