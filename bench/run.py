"""Benchmarks, in one process: nixlint against a bare tree-sitter parse of the same files.

Prints ratios, not absolute times (they vary on shared machines). Run: ``make bench`` or
``python bench/run.py [PATH ...]`` (default: a generated fleet of 300 hosts).
"""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import generate
from nixlint.analyze import check
from nixlint.parse import new_parser
from nixlint.workspace import discover


def best_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(paths: list[str]) -> None:
    files = discover(paths)
    blobs = [Path(f).read_bytes() for f in files]
    size = sum(len(b) for b in blobs)
    parser = new_parser()

    def bare_parse() -> None:
        for blob in blobs:
            parser.parse(blob)

    baseline = best_of(3, bare_parse)
    scan = best_of(3, lambda: check(paths))
    result = check(paths)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"files: {len(files)}  bytes: {size}  hosts: {len(result.hosts)}  findings: {len(result.findings)}"
    )
    print(f"bare tree-sitter parse: {baseline:.3f} s (baseline)")
    print(f"nixlint check:          {scan:.3f} s  ratio {scan / baseline:.2f}x")
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1:])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), hosts=300, roles=30)
            main([tmp])
