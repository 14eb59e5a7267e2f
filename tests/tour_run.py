"""The README's tour (docs/tour.sh) run once, as a new user would, for every test that
needs it: test_tour checks each command's exit code, test_no_python_values scans what
every command printed. Running it once saves a whole tour (~90 s) in `make test`."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.test_tour import TOUR, steps

#: Commands that show things, run after the tour as text and as --json.
SHOWING = [
    "list",
    "list --status active",
    "show C-2026-0001",
    "route C-2026-0001",
    "party list",
    "party show P-0001",
    "remind --within 400d",
    "audit C-2026-0001",
    "audit verify",
    "template list",
    "template show purchase-zh",
    "template fields purchase-zh",
    "report --by month --period 2026",
    "report --by counterparty",
    "report --view pipeline",
    "report --view expiring",
    "report --view cycle",
    "search 合同",
    "config get company.name",
    "keys list",
    "keys trust list",
    "rules explain C-2026-0001",
    "rules check",
    "rules test",
    "diff C-2026-0001 --from 1 --to 2",
    "verify C-2026-0001",
    "fsck",
    "doctor",
]


@dataclass(frozen=True)
class TourRun:
    """One run of the tour and then of every SHOWING command on the store it made."""

    steps: list[tuple[int, str, int]]  # (line, command, expected exit code)
    codes: dict[int, int]  # tour step number -> the exit code it ended with
    outputs: dict[str, tuple[str, str]]  # label -> (stdout, stderr)
    stderr: str


def run_tour(work: Path) -> TourRun:
    """Run docs/tour.sh as a new user would (a fresh HOME, the installed command),
    each command's output and exit code kept, then the commands that show things."""
    out = work / "out"
    out.mkdir()
    tour = steps(TOUR.read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    script = ["set +e"]
    for number, (line, command, _) in enumerate(tour):
        name = f"t{number:03d}"
        labels[name] = f"docs/tour.sh:{line}: {command.splitlines()[0]}"
        script += ["{", command, f'}} > "{out}/{name}.out" 2> "{out}/{name}.err"']
        script.append(f'echo "{number} $?" >> "{work}/codes"')
    for number, command in enumerate(SHOWING):
        for suffix, extra in (("txt", ""), ("json", " --json")):
            name = f"s{number:03d}{suffix}"
            labels[name] = f"contractctl {command}{extra}"
            script.append(
                f'contractctl {command}{extra} > "{out}/{name}.out" 2> "{out}/{name}.err"'
            )
    (work / "run.sh").write_text("\n".join(script) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACTCTL_")}
    env.update(
        HOME=str(work),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        CONTRACTCTL_LANG="en",
        COLUMNS="200",
    )
    ran = subprocess.run(
        ["bash", str(work / "run.sh")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    codes_file = work / "codes"
    lines = codes_file.read_text().splitlines() if codes_file.exists() else []
    codes = {int(n): int(c) for n, c in (line.split() for line in lines)}
    outputs = {
        label: (
            (out / f"{name}.out").read_text(encoding="utf-8", errors="replace"),
            (out / f"{name}.err").read_text(encoding="utf-8", errors="replace"),
        )
        for name, label in labels.items()
        if (out / f"{name}.out").exists()
    }
    return TourRun(tour, codes, outputs, ran.stderr)
