"""How long after a dropped file is complete `conformance campaign watch` has judged it, as the user
runs it (whole process, default settle of 2 s, the real drop folder):

    .venv/bin/python benchmarks/campaign.py [--rounds 5]

Each round drops one one-page PDF (drawn by fpdf2 from the step's card, written under a
temporary name then renamed, as a printer driver does) and reads the journal until its `judged`
line. "Complete" is the moment the file has been untouched for the settle time (2 s after the
rename): the figure is judged-at minus that moment (target: within 2 s). The journal's own
timestamps are used, not this script's polling.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.campaign.folder import open_checked  # noqa: E402
from conformance.paths import BUNDLED_FIXTURES  # noqa: E402
from tests.helpers import campaign_page  # noqa: E402

SETTLE = 2.0


def _judged_at(folder: Path, step: str, timeout: float = 30) -> dt.datetime:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["event"] == "judged" and entry["step"] == step:
                return dt.datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
        time.sleep(0.02)
    raise SystemExit(f"step {step} not judged within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "camp"
        subprocess.run([sys.executable, "-m", "conformance", "campaign", "start", "-d", str(folder),
                        "--prescriber", str(BUNDLED_FIXTURES / "prescribers" / "generaliste.yaml"),
                        "--seed", "1"], check=True, env=env, capture_output=True)
        state = open_checked(folder).state
        steps = [s for s in state.cards][: args.rounds]
        pages = {s: campaign_page(state.cards[s], str(state.started["today"])) for s in steps}
        watcher = subprocess.Popen([sys.executable, "-m", "conformance", "campaign", "watch", str(folder)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(3)  # the watcher's start-up is not what is measured
            delays = []
            for step in steps:
                partial = folder / "depot" / f"{step}.pdf.part"
                partial.write_bytes(pages[step])
                partial.rename(folder / "depot" / f"{step}.pdf")
                complete = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=SETTLE)
                delay = (_judged_at(folder, step) - complete).total_seconds()
                delays.append(delay)
                print(f"{step:<22} judged {delay:5.2f} s after complete")
        finally:
            watcher.terminate()
            watcher.wait()
    print(f"median {statistics.median(delays):.2f} s, max {max(delays):.2f} s "
          f"(target: within 2 s; load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
