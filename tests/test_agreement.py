"""tools/agreement.py: two readers' truth files scored against each other."""
import json
import subprocess
import sys
from pathlib import Path

from reviewer.checklist import CHECKLIST_ITEMS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from agreement import compare  # noqa: E402


def _write(folder: Path, name: str, statuses: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    checklist = {item: statuses.get(item, "met") for item in CHECKLIST_ITEMS}
    (folder / f"{name}.truth.json").write_text(json.dumps({"case": name, "checklist": checklist}))


def test_agreement_counts_each_disagreement(tmp_path):
    ref, second = tmp_path / "ref", tmp_path / "second"
    # the reference has two gaps; the second reader finds one, misses one and adds a false one
    _write(ref, "c1", {"suspect_interview": "missing", "abe_interview": "outstanding"})
    _write(second, "c1", {"suspect_interview": "outstanding", "isva_referral": "missing"})
    _write(ref, "only_in_ref", {})
    def read(folder):
        return {"c1": json.loads((folder / "c1.truth.json").read_text())["checklist"]}

    t = compare(read(ref), read(second))
    assert t.n == 33
    assert t.correct == 30  # suspect_interview (missing/outstanding), abe_interview and isva_referral differ
    assert (t.tp, t.fp, t.fn) == (1, 1, 1)
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "agreement.py"), str(ref), str(second)],
                         capture_output=True, text=True, check=True).stdout
    assert "1 cases labelled by both readers" in out
    assert "0.909" in out  # 30 / 33


def test_agreement_needs_common_cases(tmp_path):
    _write(tmp_path / "a", "x", {})
    _write(tmp_path / "b", "y", {})
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "agreement.py"), str(tmp_path / "a"), str(tmp_path / "b")],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "no case is labelled in both" in run.stderr
