"""Scan benchmarks, in one process and one run, as ratios against a bare tree-sitter parse
of the same files (absolute times vary on shared machines; ratios much less).

    python bench/run.py                 # a generated fleet (see bench/corpus.py)
    python bench/run.py PATH [PATH...]  # real configurations
    python bench/run.py --files 10000   # also: peak memory of a 10,000-file scan

Targets: a cold scan with one job ≤ 2.0× the bare parse; a warm-cache rescan ≤ 0.15× the
cold scan; peak RSS ≤ 200 MB for 10,000 files.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import generate
from nixlint.analyze import Options, check
from nixlint.parse import new_parser
from nixlint.workspace import discover


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_parse(files: list[str]) -> Callable[[], None]:
    blobs = [Path(f).read_bytes() for f in files]
    parser = new_parser()

    def run() -> None:
        for blob in blobs:
            parser.parse(blob)

    return run


def scan(paths: list[str], runs: int) -> dict[str, float | int]:
    files = discover(paths)
    size = sum(Path(f).stat().st_size for f in files)
    baseline = best_of(runs, bare_parse(files))
    # as the command line runs: option graphs are not kept once a host's rules have run
    cold = best_of(runs, lambda: check(paths, options=Options(keep_hosts=False)))
    two = best_of(runs, lambda: check(paths, options=Options(jobs=2, keep_hosts=False)))
    with tempfile.TemporaryDirectory() as cache_dir:
        warmed = Options(cache_dir=cache_dir, keep_hosts=False)
        check(paths, options=warmed)
        warm = best_of(runs, lambda: check(paths, options=warmed))
    result = check(paths, options=Options(keep_hosts=False))
    return {
        "files": len(files),
        "bytes": size,
        "hosts": len(result.hosts),
        "findings": len(result.findings),
        "bare_parse": baseline,
        "cold": cold,
        "cold_jobs_2": two,
        "warm": warm,
    }


def peak_rss(paths: list[str]) -> float:
    """Peak RSS in MB of a cold scan, measured in a fresh process."""
    code = (
        "import resource, sys; from nixlint.analyze import Options, check; "
        "check(sys.argv[1:], options=Options(keep_hosts=False)); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *paths], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def show(figures: dict[str, float | int]) -> None:
    base = float(figures["bare_parse"])
    cold = float(figures["cold"])
    print(
        f"files: {figures['files']}  bytes: {figures['bytes']}  hosts: {figures['hosts']}  "
        f"findings: {figures['findings']}"
    )
    print(f"bare tree-sitter parse   {base:8.3f} s   (baseline)")
    print(f"cold scan, 1 job         {cold:8.3f} s   {cold / base:6.2f}x parse   (target <= 2.0x)")
    two = float(figures["cold_jobs_2"])
    print(
        f"cold scan, 2 jobs        {two:8.3f} s   {two / base:6.2f}x parse   {two / cold:5.2f}x 1 job"
    )
    warm = float(figures["warm"])
    print(f"warm-cache rescan        {warm:8.3f} s   {warm / cold:6.2f}x cold    (target <= 0.15x)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--hosts", type=int, default=100, help="hosts of the generated fleet")
    parser.add_argument(
        "--files", type=int, default=0, help="also measure memory at this many files"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = args.paths
        if not paths:
            generate(Path(tmp) / "fleet", hosts=args.hosts, roles=max(args.hosts // 30, 4))
            paths = [str(Path(tmp) / "fleet")]
        figures = scan(paths, args.runs)
        if args.files:
            big = Path(tmp) / "big"
            roles = max(args.files // 100, 4)
            generate(big, hosts=(args.files - roles - 1) // 3, roles=roles)
            figures["rss_files"] = len(discover([str(big)]))
            figures["peak_rss_mb"] = peak_rss([str(big)])
    figures["this_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    show(figures)
    if "peak_rss_mb" in figures:
        print(
            f"peak RSS, {figures['rss_files']} files: {figures['peak_rss_mb']:.0f} MB   (target <= 200 MB)"
        )


if __name__ == "__main__":
    main()
