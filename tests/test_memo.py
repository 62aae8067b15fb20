"""What analysis remembers within one run: a host's answers to the questions rules ask
repeatedly, and where a file writes literal paths. Remembered answers are the answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nixlint.hosts import ModuleCache, build_host
from nixlint.parse import parse
from nixlint.rules.base import HostContext, _Replay
from nixlint.rules.containers import cli_flags, host_flags
from nixlint.workspace import FileStore, reference_texts
from tests.conftest import write


def _context(tmp: Path, text: str) -> HostContext:
    write(tmp, {"host.nix": text})
    return HostContext(build_host("h", [str(tmp / "host.nix")], FileStore([str(tmp)])))


def test_list_items_asked_twice_are_the_same_items(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        """{ config, lib, ... }: {
          virtualisation.oci-containers.containers.app.extraOptions =
            [ "--privileged" ] ++ lib.optionals config.my.x [ "--cap-add=ALL" ];
        }""",
    )
    path = "virtualisation.oci-containers.containers.app.extraOptions"
    with ctx.graph.activate():
        first = [(it.value, it.conditional, it.span.line) for it in ctx.items(path)]
        second = [(it.value, it.conditional, it.span.line) for it in ctx.items(path)]
        candidates = [(it.value, it.conditional) for it in ctx.candidate_values(path)]
        again = [(it.value, it.conditional) for it in ctx.candidate_values(path)]
    assert first == second == [("--privileged", False, 3), ("--cap-add=ALL", True, 3)]
    assert candidates == again
    assert [conditional for _, conditional in candidates] == [True, True]
    assert ctx.effective("nix.settings.sandbox") is ctx.effective("nix.settings.sandbox")


def test_a_graph_answers_a_path_written_either_way_with_one_resolution(tmp_path: Path) -> None:
    ctx = _context(tmp_path, '{ services.openssh.permitRootLogin = "yes"; }')
    graph = ctx.graph
    renamed = graph.resolve("services.openssh.permitRootLogin")
    assert graph.resolve(("services", "openssh", "permitRootLogin")) is renamed
    assert graph.resolve("services.openssh.settings.PermitRootLogin") is renamed
    assert renamed.value == "yes"


def test_a_replayed_list_is_computed_once_and_only_as_far_as_it_is_read() -> None:
    made: list[int] = []

    def numbers() -> Iterator[int]:
        for n in range(5):
            made.append(n)
            yield n

    replay = _Replay(numbers())
    assert next(iter(replay)) == 0
    assert made == [0]
    assert list(replay) == [0, 1, 2, 3, 4]
    assert list(replay) == [0, 1, 2, 3, 4]
    assert made == [0, 1, 2, 3, 4]


def test_a_replayed_list_that_failed_fails_every_reader() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("bad value")

    replay = _Replay(failing())
    for _ in range(2):
        seen: list[int] = []
        with pytest.raises(ValueError, match="bad value"):
            for n in replay:
                seen.append(n)
        assert seen == [1]


def test_literal_paths_are_found_wherever_they_are_and_nothing_else() -> None:
    src = parse(
        b"""{ imports = [ ./a.nix ../b (./c/d.nix) /abs/e ~/home <nixpkgs> ./${x}.nix ];
  # a comment with ./not-a-path
  s = "./not/a/path ${./f.nix}";
  u = x // ./g.nix;
  v = 6 / 3;
  w = 1./h;
  h = .hidden/i;
}
""",
        "x.nix",
    )
    assert reference_texts(src) == [
        "./a.nix",
        "../b",
        "./c/d.nix",
        "/abs/e",
        "./f.nix",
        "./g.nix",
        ".hidden/i",
    ]


def test_enclosing_values_and_dynamic_names_still_reach_a_path(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        """{ config, name, ... }: {
          services.foo = builtins.fromJSON (builtins.readFile ./settings.json);
          services.nginx.virtualHosts.${name}.root = "/srv/www";
          services.nginx.virtualHosts.known.root = "/srv/known";
        }""",
    )
    with ctx.graph.activate():
        enclosed = ctx.resolve("services.foo.enable")
        dynamic = ctx.resolve("services.nginx.virtualHosts.other.root")
        known = ctx.resolve("services.nginx.virtualHosts.known.root")
    assert [(c.definition.path, c.definition.span.line) for c in enclosed.candidates] == [
        (("services", "foo"), 2)
    ]
    assert "an enclosing value" in enclosed.value.reason
    assert [(c.definition.path, c.definition.span.line) for c in dynamic.candidates] == [
        (("services", "nginx", "virtualHosts", "*", "root"), 3)
    ]
    assert "a dynamic attribute name" in dynamic.value.reason
    assert known.conditional
    assert sorted(c.definition.span.line for c in known.candidates) == [3, 4]


def test_container_flags_are_worked_out_once_per_host_and_list(tmp_path: Path) -> None:
    first = tmp_path / "a"
    second = tmp_path / "b"
    host = """{ virtualisation.oci-containers.containers.app = {
          extraOptions = [ "--network" "host" "--cap-add=%s" ];
          extraFlags = [ "--privileged" ];
        }; }"""
    ctx = _context(first, host % "SYS_ADMIN")
    other = _context(second, host % "NET_ADMIN")
    app = ("virtualisation", "oci-containers", "containers", "app")
    options, extra = (*app, "extraOptions"), (*app, "extraFlags")
    with ctx.graph.activate():
        flags = host_flags(ctx, options)
        assert host_flags(ctx, options) is flags
        assert flags == list(cli_flags(list(ctx.items(options))))
        assert [(f, v) for f, v, _ in flags] == [("--network", "host"), ("--cap-add", "SYS_ADMIN")]
        assert [(f, v) for f, v, _ in host_flags(ctx, extra)] == [("--privileged", None)]
    with other.graph.activate():
        assert [(f, v) for f, v, _ in host_flags(other, options)][1] == ("--cap-add", "NET_ADMIN")


def test_a_remembered_answer_that_failed_is_not_remembered(tmp_path: Path) -> None:
    ctx = _context(tmp_path, "{ }")
    calls: list[int] = []

    def failing() -> int:
        calls.append(1)
        raise ValueError("bad value")

    for _ in range(2):
        with pytest.raises(ValueError, match="bad value"):
            ctx.remembered("key", failing)
    assert calls == [1, 1]
    assert ctx.remembered("other", lambda: 42) == 42
    assert ctx.remembered("other", lambda: 0) == 42


def _ends_in_password(path: tuple[str, ...]) -> bool:
    return bool(path) and path[-1] == "password"


def test_paths_a_filter_keeps_are_worked_out_once_per_module(tmp_path: Path) -> None:
    from nixlint.hosts import ModuleCache

    write(
        tmp_path,
        {
            "a.nix": '{ imports = [ ./shared.nix ]; users.users.a.password = "x"; }',
            "b.nix": '{ imports = [ ./shared.nix ]; users.users.b.hashedPassword = "!"; }',
            "shared.nix": '{ users.users.root.password = "y"; services.x.password = "z"; }',
        },
    )
    store = FileStore([str(tmp_path)])
    cache = ModuleCache.for_store(store)
    a = build_host("a", [str(tmp_path / "a.nix")], store, cache=cache)
    b = build_host("b", [str(tmp_path / "b.nix")], store, cache=cache)
    assert sorted(a.graph.paths_where(_ends_in_password)) == [
        ("services", "x", "password"),
        ("users", "users", "a", "password"),
        ("users", "users", "root", "password"),
    ]
    assert sorted(b.graph.paths_where(_ends_in_password)) == [
        ("services", "x", "password"),
        ("users", "users", "root", "password"),
    ]
    shared = [i for i in a.graph.indexes if any(i is j for j in b.graph.indexes)]
    assert len(shared) == 1  # the module both hosts import has one index, filtered once
    kept = shared[0].paths_where(_ends_in_password)
    assert kept is shared[0].paths_where(_ends_in_password)


def test_a_value_read_from_a_host_remembered_value_is_the_hosts_own(tmp_path: Path) -> None:
    """``b`` reads ``x`` after ``a`` made the host remember it: ``b`` depends on the host
    too, and each host sees its own name in both."""
    write(
        tmp_path,
        {
            "shared.nix": """{ config, ... }:
            let x = config.networking.hostName; in {
              environment.etc.a.text = x;
              environment.etc.b.text = x;
            }""",
            "one.nix": '{ imports = [ ./shared.nix ]; networking.hostName = "one"; }',
            "two.nix": '{ imports = [ ./shared.nix ]; networking.hostName = "two"; }',
        },
    )
    store = FileStore([str(tmp_path)])
    cache = ModuleCache(store)
    for name in ("one", "two"):
        graph = build_host(name, [str(tmp_path / f"{name}.nix")], store, cache=cache).graph
        assert graph.value("environment.etc.a.text") == name
        assert graph.value("environment.etc.b.text") == name
