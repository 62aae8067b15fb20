"""Hook latency: ``nixlint check`` on one small file of a small repository, end to end (a new
process each time, as pre-commit runs it), against ``python3 -c pass`` in the same run.

Prints medians and ratios; the budget is 150 ms median on the project's machines. Runs are
interleaved so that load on a shared machine hits every command alike. Bytecode is compiled
once into a private cache first, as an installed package would have it.

Run: ``make bench`` or ``python bench/hook.py [RUNS]``.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 150.0

SMALL = """{ config, lib, ... }:
{
  services.openssh.enable = true;
  nix.settings.sandbox = false;
}
"""


def python3() -> str:
    """The real ``python3`` binary (not a version manager's shim script in front of it)."""
    found = shutil.which("python3")
    if found is None:
        return sys.executable
    done = subprocess.run(
        [found, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True
    )
    return done.stdout.strip() or found


def nixlint_command() -> list[str]:
    script = Path(sys.executable).with_name("nixlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nixlint"]


def repository(tmp: Path) -> Path:
    """A git repository with the demo host and one small module the host imports."""
    repo = tmp / "repo"
    shutil.copytree(ROOT / "fixtures" / "demo", repo)
    (repo / "small.nix").write_text(SMALL)
    config = repo / "configuration.nix"
    config.write_text(
        config.read_text().replace("./services.nix", "./services.nix\n    ./small.nix")
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one run (CPU time hardly grows with the machine's load,
    so on a busy machine it is the better estimate of the wall time on an idle one)."""
    cpu = _cpu()
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000, (_cpu() - cpu) * 1000


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        repo = repository(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        env["PYTHONPATH"] = str(ROOT)  # this checkout's nixlint, whatever is installed
        commands = {
            "python3 -c pass": [python3(), "-c", "pass"],
            "python -c pass (nixlint's interpreter)": [sys.executable, "-c", "pass"],
            "nixlint check small.nix": [*nixlint_command(), "check", "small.nix"],
        }
        done = subprocess.run(
            commands["nixlint check small.nix"], cwd=repo, env=env, capture_output=True, text=True
        )
        if done.returncode != 1 or "NIX301" not in done.stdout:
            sys.exit(
                f"the hook run did not report the expected finding:\n{done.stdout}{done.stderr}"
            )
        for command in commands.values():  # warm up: bytecode, file cache
            for _ in range(3):
                timed(command, repo, env)
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
        for _ in range(runs):
            for label, command in commands.items():
                times[label].append(timed(command, repo, env))
    wall = {label: statistics.median(t[0] for t in values) for label, values in times.items()}
    cpu = {label: statistics.median(t[1] for t in values) for label, values in times.items()}
    baseline = wall["python3 -c pass"]
    print(f"hook latency, median of {runs} interleaved runs (one small file, a 5-file host):")
    for label in commands:
        ratio = wall[label] / baseline
        print(
            f"  {label:<40} wall {wall[label]:7.1f} ms ({ratio:5.2f}x python3 -c pass)"
            f"   cpu {cpu[label]:7.1f} ms"
        )
    hook = wall["nixlint check small.nix"]
    verdict = "within" if hook <= BUDGET_MS else "OVER"
    print(f"nixlint check: {hook:.1f} ms, {verdict} the {BUDGET_MS:.0f} ms budget")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"(load average {load:.1f} on {os.cpu_count()} cores: the times are inflated)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 31)
