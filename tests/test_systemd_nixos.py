"""Exposure scores from Nix source: values merged across modules, settings nixlint cannot
know (ranges), ``confinement``, services NixOS defines, and the suggested settings."""

from __future__ import annotations

from pathlib import Path

from nixlint.systemd.ranges import ABSENT, ANY
from nixlint.systemd.report import ServiceReport, scan


def services(tmp_path: Path, files: dict[str, str], live: bool = False) -> dict[str, ServiceReport]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {r.name: r for r in scan([str(tmp_path)], live=live)}


def only(tmp_path: Path, text: str, live: bool = False) -> ServiceReport:
    found = services(tmp_path, {"configuration.nix": text}, live)
    assert len(found) == 1
    return next(iter(found.values()))


def scores(report: ServiceReport) -> tuple[float, float]:
    assert report.best is not None and report.worst is not None
    return report.best.value, report.worst.value


def test_a_script_service_is_scored(tmp_path: Path) -> None:
    report = only(tmp_path, '{ systemd.services.backup.script = "rsync -a /srv/ b:/srv/"; }')
    assert (report.name, report.exact, scores(report)) == ("backup", True, (9.6, 9.6))
    assert (report.worst and report.worst.label) == "UNSAFE"
    assert (report.span.line, report.span.column, report.option) == (
        1,
        3,
        "systemd.services.backup.serviceConfig",
    )


def test_values_merge_across_modules(tmp_path: Path) -> None:
    found = services(
        tmp_path,
        {
            "configuration.nix": """
            { pkgs, ... }:
            {
              imports = [ ./hardening.nix ];
              systemd.services.api.serviceConfig = {
                ExecStart = "${pkgs.hello}/bin/hello";
                DynamicUser = true;
                PrivateDevices = true;
                CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];
                SystemCallFilter = [ "@system-service" ];
              };
            }
            """,
            "hardening.nix": """
            { lib, ... }:
            {
              systemd.services.api.serviceConfig = {
                PrivateDevices = lib.mkForce false;
                DynamicUser = lib.mkDefault false;
                CapabilityBoundingSet = [ "CAP_CHOWN" ];
                SystemCallFilter = [ "~@privileged" ];
                PrivateNetwork = lib.mkDefault true;
              };
            }
            """,
        },
    )
    report = found["api"]
    assert report.inputs is not None
    assert report.inputs.service == {
        "CapabilityBoundingSet": (["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],),
        "DynamicUser": (True,),
        "PrivateDevices": (False,),
        "PrivateNetwork": (True,),
        "SystemCallFilter": (["@system-service", "~@privileged"],),
    }
    assert report.inputs.forced == {"PrivateDevices"}
    assert scores(report) == (4.3, 4.3)


def test_a_setting_under_an_undecidable_condition_gives_a_range(tmp_path: Path) -> None:
    report = only(
        tmp_path,
        """
        { config, lib, ... }:
        {
          systemd.services.web = {
            script = "serve";
            serviceConfig.DynamicUser = lib.mkIf config.services.web.sandboxed true;
            serviceConfig.PrivateNetwork = true;
          };
        }
        """,
    )
    assert report.inputs is not None
    assert report.inputs.service["DynamicUser"] == (ABSENT, True)
    assert (report.exact, report.unknown, scores(report)) == (False, ["DynamicUser"], (7.9, 9.1))
    assert report.exposure_text() == "7.9–9.1 EXPOSED–UNSAFE"


def test_an_unknown_value_gives_a_range(tmp_path: Path) -> None:
    report = only(
        tmp_path,
        """
        { config, ... }:
        {
          systemd.services.web.serviceConfig = {
            ExecStart = "/run/current-system/sw/bin/serve";
            User = config.services.web.user;
            ProtectSystem = config.services.web.protect;
          };
        }
        """,
    )
    assert report.inputs is not None
    assert report.inputs.service["User"] == (ANY,)
    assert (report.unknown, scores(report)) == (["ProtectSystem", "User"], (9.0, 9.6))
    assert report.exposure_text() == "9.0–9.6 UNSAFE"
    assert report.range is not None
    assert report.range.worst_settings == {"ProtectSystem": False, "User": "root"}


def test_an_unknown_service_config_may_be_anything(tmp_path: Path) -> None:
    report = only(
        tmp_path,
        """
        { hardening, ... }:
        {
          systemd.services.web = {
            script = "serve";
            serviceConfig = hardening.strict;
          };
        }
        """,
    )
    assert report.inputs is not None
    assert len(report.unknown) == 42  # every setting the checks read
    assert scores(report) == (0.2, 10.0)


def test_confinement(tmp_path: Path) -> None:
    found = services(
        tmp_path,
        {
            "configuration.nix": """
            { config, ... }:
            {
              systemd.services.full = { script = "a"; confinement.enable = true; };
              systemd.services.chroot = {
                script = "b";
                confinement = { enable = true; mode = "chroot-only"; };
              };
              systemd.services.mine = {
                script = "c";
                confinement.enable = true;
                serviceConfig.PrivateDevices = false;
              };
              systemd.services.maybe = {
                script = "d";
                confinement.enable = config.services.maybe.confine;
              };
            }
            """
        },
    )
    assert scores(found["full"]) == (7.7, 7.7)
    assert scores(found["chroot"]) == (9.4, 9.4)
    assert scores(found["mine"]) == (8.3, 8.3)
    assert (found["maybe"].unknown[0], scores(found["maybe"])) == ("PrivateDevices", (7.7, 9.6))
    assert "confinement.enable" in found["maybe"].unknown


def test_unit_config_default_dependencies(tmp_path: Path) -> None:
    report = only(
        tmp_path,
        '{ systemd.services.early = { script = "x"; unitConfig.DefaultDependencies = false; }; }',
    )
    assert report.worst is not None
    assert sum(1 for c in report.worst.checks if c.badness is None) == 6
    assert scores(report) == (9.5, 9.5)


def test_services_defined_elsewhere_are_not_scored(tmp_path: Path) -> None:
    found = services(
        tmp_path,
        {
            "configuration.nix": """
            { lib, ... }:
            {
              services.nginx.enable = true;
              systemd.services.nginx.serviceConfig.LimitNOFILE = 65536;
              systemd.services.nix-daemon.serviceConfig.ExecStart = lib.mkForce [ "" "/x" ];
              systemd.services.roundcube-setup.script = lib.mkAfter "echo more";
              systemd.services.old = { enable = false; script = "x"; };
              systemd.services.tuned.after = [ "network.target" ];
            }
            """
        },
    )
    assert sorted(found) == ["nginx", "nix-daemon"]
    assert not found["nginx"].scored
    assert found["nginx"].note == (
        "defined by the NixOS module services.nginx, outside the scanned files: its hardening "
        "lives there, and the serviceConfig settings here are merged into it"
    )
    assert found["nix-daemon"].note is not None
    assert found["nix-daemon"].note.startswith("defined by NixOS, systemd or a package")


def test_suggestions_lower_the_score_most_first(tmp_path: Path) -> None:
    report = only(
        tmp_path,
        '{ systemd.services.metrics.serviceConfig = { ExecStart = "/x"; DynamicUser = true; }; }',
    )
    assert [(s.nix, s.saves) for s in report.suggestions] == [
        ('CapabilityBoundingSet = "";', 25),
        ('SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];', 16),
        ("RestrictNamespaces = true;", 7),
        ("PrivateNetwork = true;", 5),
        ('RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];', 4),
    ]


def test_a_suggestion_for_a_forced_setting_is_forced_too(tmp_path: Path) -> None:
    report = only(
        tmp_path,
        """
        { lib, ... }:
        {
          systemd.services.api.serviceConfig = {
            ExecStart = "/x";
            DynamicUser = true;
            CapabilityBoundingSet = lib.mkForce "~";
          };
        }
        """,
    )
    assert report.suggestions[0].nix == 'CapabilityBoundingSet = lib.mkForce "";'


def test_live_mode_counts_private_mounts_as_implied(tmp_path: Path) -> None:
    text = '{ systemd.services.a.serviceConfig = { ExecStart = "/x"; PrivateTmp = true; }; }'
    assert scores(only(tmp_path, text)) == (9.4, 9.4)
    assert scores(only(tmp_path, text, live=True)) == (9.2, 9.2)


def test_json_row(tmp_path: Path) -> None:
    report = only(tmp_path, '{ systemd.services.backup.script = "x"; }')
    row = report.to_json("configuration.nix")
    assert {k: row[k] for k in ("name", "host", "path", "line", "exposure", "label")} == {
        "name": "backup",
        "host": "configuration",
        "path": "configuration.nix",
        "line": 1,
        "exposure": 9.6,
        "label": "UNSAFE",
    }
    assert row["range"] == {
        "best": 9.6,
        "worst": 9.6,
        "best_label": "UNSAFE",
        "worst_label": "UNSAFE",
    }
    checks = row["checks"]
    assert isinstance(checks, list) and len(checks) == 81
    assert checks[0] == {
        "id": "User=/DynamicUser=",
        "setting": "User",
        "weight": 2000,
        "range": 10,
        "badness": 10,
        "exposure": 0.4,
        "description": "Service runs as root user",
    }
    assert checks[1]["badness"] is None and checks[1]["exposure"] is None
    assert row["suggestions"][0] == {  # type: ignore[index]
        "setting": "CapabilityBoundingSet",
        "nix": 'CapabilityBoundingSet = "";',
        "saves": 2.5,
    }
