"""The shared terms agree with where SQL has to write them again: the views' Spanish status labels."""

from __future__ import annotations

import re

from shared.terms import STATUS_LABELS
from tests.conftest import ROOT


def test_the_views_label_every_status_as_the_shared_terms_do():
    sql = (ROOT / "shared" / "migrations" / "0010_earned_schedule.sql").read_text(encoding="utf-8")
    case = sql[sql.index("CASE COALESCE(f.status, 'no_data')"):]
    case = case[:case.index("END AS status_label")]
    written = dict(re.findall(r"WHEN '(\w+)' THEN '([^']+)'", case))
    written["no_data"] = re.search(r"ELSE '([^']+)'", case).group(1)
    assert written == {status.value: label for status, label in STATUS_LABELS.items()}
