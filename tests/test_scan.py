"""Batch scanning: parallel and distributed runs give the same output, and the cache never
changes a result."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from bench.corpus import generate
from nixlint.analyze import Options, check, finding_key
from nixlint.cache import FILENAME, Cache
from nixlint.report import get


def report(paths: list[str], **options: object) -> str:
    """The JSON report of a scan (what users see), without timings."""
    import io

    result = check(paths, options=Options(**options))  # type: ignore[arg-type]
    stream = io.StringIO()
    get("json")(result, stream)
    return stream.getvalue()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    generate(root, hosts=24, roles=8, seed=7)
    return root


def test_the_fleet_has_findings_in_shared_modules(fleet: Path) -> None:
    findings = json.loads(report([str(fleet)]))["findings"]
    assert findings, "the generated fleet is meant to have findings"
    assert any(len(f["hosts"]) > 1 for f in findings)


def test_output_is_identical_for_any_number_of_jobs(fleet: Path) -> None:
    one = report([str(fleet)], jobs=1)
    assert report([str(fleet)], jobs=2) == one
    assert report([str(fleet)], jobs=3) == one


def test_a_warm_cache_gives_the_same_result_without_rebuilding(fleet: Path, tmp_path: Path) -> None:
    cache_dir = str(tmp_path / "cache")
    cold = check([str(fleet)], options=Options(cache_dir=cache_dir))
    assert cold.cache_hits == 0
    warm = check([str(fleet)], options=Options(cache_dir=cache_dir))
    assert warm.cache_hits == len(warm.hosts) == len(cold.hosts)
    assert warm.findings == cold.findings
    assert report([str(fleet)], cache_dir=cache_dir) == report([str(fleet)])


def test_a_change_in_a_shared_module_reaches_every_host_that_uses_it(tmp_path: Path) -> None:
    root = tmp_path / "fleet"
    generate(root, hosts=6, roles=3, seed=3)
    cache_dir = str(tmp_path / "cache")
    check([str(root)], options=Options(cache_dir=cache_dir))
    common = root / "modules" / "common.nix"
    common.write_text(
        common.read_text().replace("sandbox = lib.mkDefault true;", "sandbox = false;")
    )
    warm = check([str(root)], options=Options(cache_dir=cache_dir))
    fresh = check([str(root)])
    assert warm.findings == fresh.findings
    assert [
        (f.rule, Path(f.path).name, len(f.hosts)) for f in warm.findings if f.rule == "NIX301"
    ] == [("NIX301", "common.nix", 6)]
    assert warm.cache_hits == 0  # every host imports common.nix


def test_a_corrupted_cache_is_set_aside_and_never_changes_a_result(
    fleet: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / FILENAME).write_bytes(b"this is not a database" * 100)
    assert report([str(fleet)], cache_dir=str(cache_dir)) == report([str(fleet)])
    assert (cache_dir / (FILENAME + ".corrupt")).exists()
    # and the next run builds a new cache
    check([str(fleet)], options=Options(cache_dir=str(cache_dir)))
    assert check([str(fleet)], options=Options(cache_dir=str(cache_dir))).cache_hits > 0


def test_tampered_entries_are_ignored(fleet: Path, tmp_path: Path) -> None:
    cache_dir = str(tmp_path / "cache")
    check([str(fleet)], options=Options(cache_dir=cache_dir))
    cache = Cache(cache_dir)
    db = cache._connect()
    assert db is not None
    db.execute("UPDATE hosts SET value = '{\"records\": 5}'")
    db.execute("UPDATE files SET value = 'not json'")
    cache.close()
    assert report([str(fleet)], cache_dir=cache_dir) == report([str(fleet)])


def _scan_into(args: tuple[str, str]) -> str:
    fleet, cache_dir = args
    return report([fleet], cache_dir=cache_dir)


def test_concurrent_writers_share_a_cache_safely(fleet: Path, tmp_path: Path) -> None:
    cache_dir = str(tmp_path / "cache")
    expected = report([str(fleet)])
    with multiprocessing.get_context("fork").Pool(3) as pool:
        outputs = pool.map(_scan_into, [(str(fleet), cache_dir)] * 3)
    assert outputs == [expected] * 3
    assert report([str(fleet)], cache_dir=cache_dir) == expected


def test_an_unwritable_cache_directory_is_not_an_error(fleet: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert report([str(fleet)], cache_dir=str(blocker / "cache")) == report([str(fleet)])


def test_a_dask_cluster_gives_the_same_result(fleet: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        assert report([str(fleet)], executor=f"dask://{address}", jobs=2) == report([str(fleet)])


def test_nested_recordings_each_see_what_was_read_inside_them(tmp_path: Path) -> None:
    from nixlint.workspace import FileStore

    (tmp_path / "a.nix").write_text("{ }")
    (tmp_path / "b.nix").write_text("{ }")
    store = FileStore([str(tmp_path)])
    with store.recording() as outer:
        with store.recording() as inner:
            pass  # equal (empty) sets: the right one must be removed
        store.get(str(tmp_path / "a.nix"))
        with store.recording() as second:
            store.get(str(tmp_path / "b.nix"))
    assert inner == set()
    assert second == {str(tmp_path / "b.nix")}
    assert outer == {str(tmp_path / "a.nix"), str(tmp_path / "b.nix")}
    assert store.recorders == []


def test_related_definitions_travel_with_the_finding_whatever_runs_the_host(tmp_path: Path) -> None:
    write_files = {
        "common.nix": "{ lib, ... }: { nix.settings.sandbox = lib.mkDefault false; }",
        "hosts/a.nix": "{ lib, ... }: { imports = [ ../common.nix ]; nix.settings.sandbox = lib.mkDefault false; }",
    }
    for name, text in write_files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    kept = check([str(tmp_path)])
    summarised = check(
        [str(tmp_path)], options=Options(keep_hosts=False, cache_dir=str(tmp_path / "c"))
    )
    cached_run = check(
        [str(tmp_path)], options=Options(keep_hosts=False, cache_dir=str(tmp_path / "c"))
    )
    assert cached_run.cache_hits == 1
    for result in (kept, summarised, cached_run):
        assert [(Path(f.path).name, f.line) for f in result.findings] == [
            ("common.nix", 1),
            ("a.nix", 1),
        ]
        shown = {
            (Path(f.path).name, Path(span.path).name, span.line)
            for f in result.findings
            for span, _ in result.related.get(finding_key(f), [])
        }
        assert shown == {("common.nix", "a.nix", 1), ("a.nix", "common.nix", 1)}


def test_the_command_line_runs_in_parallel_and_caches(fleet: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nixlint.cli import app

    runner = CliRunner()
    cache = str(tmp_path / "cache")
    outputs = []
    for args in (
        ["--jobs", "1", "--no-cache"],
        ["--jobs", "2", "--cache-dir", cache],
        ["-j", "2", "--cache-dir", cache],
    ):
        done = runner.invoke(app, ["check", str(fleet), "--format", "json", *args])
        assert done.exit_code == 1, done.output
        outputs.append(done.output)
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
    assert (tmp_path / "cache" / FILENAME).exists()
    bad = runner.invoke(
        app,
        ["check", str(fleet), "--executor", "dask://127.0.0.1:1"],
        env={"NIXLINT_DASK_TIMEOUT": "1"},
    )
    assert bad.exit_code == 2
    assert "cannot use the Dask scheduler at dask://127.0.0.1:1" in bad.output


def test_a_warm_cache_plans_flakes_without_evaluating_them_until_an_input_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nixlint.scan
    from tests.conftest import write

    root = tmp_path / "repo"
    write(
        root,
        {
            "flake.nix": """{
              outputs = { nixpkgs, ... }: {
                nixosConfigurations = nixpkgs.lib.genAttrs (import ./names.nix) (name:
                  nixpkgs.lib.nixosSystem { modules = [ ./common.nix ]; });
              };
            }""",
            "names.nix": '[ "web" ]',
            "common.nix": "{ nix.settings.sandbox = false; }",
        },
    )
    cache_dir = str(tmp_path / "cache")
    cold = check([str(root)], options=Options(cache_dir=cache_dir))
    assert [h.name for h in cold.hosts] == ["web"]

    def no_evaluation(*args: object) -> object:
        raise AssertionError("the flake was evaluated")

    with monkeypatch.context() as patch:
        patch.setattr(nixlint.scan, "flake_hosts", no_evaluation)
        warm = check([str(root)], options=Options(cache_dir=cache_dir))
    assert warm.findings == cold.findings
    assert warm.cache_hits == 2  # web, and names.nix (no host imports it) on its own

    (root / "names.nix").write_text('[ "web" "db" ]')  # read by the flake's evaluation
    changed = check([str(root)], options=Options(cache_dir=cache_dir))
    assert [h.name for h in changed.hosts] == ["db", "web"]
    assert [(f.rule, f.hosts) for f in changed.findings] == [("NIX301", ("db", "web"))]
