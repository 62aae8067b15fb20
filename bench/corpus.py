"""Generate a realistic fleet repository: hosts importing shared modules, in the styles real
configurations use (function modules, `with lib;`, `mkIf cfg.enable`, containers, file
systems, services)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

MODULE = """{{ config, lib, pkgs, ... }}:
with lib;
let
  cfg = config.fleet.{name};
in
{{
  options.fleet.{name} = {{
    enable = mkEnableOption "the {name} role";
    port = mkOption {{ type = types.port; default = {port}; description = "Port of {name}."; }};
  }};

  config = mkIf cfg.enable {{
    networking.firewall.allowedTCPPorts = [ cfg.port ];
    systemd.services.{name} = {{
      description = "The {name} service";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {{
        ExecStart = "${{pkgs.hello}}/bin/hello --port ${{toString cfg.port}}";
        DynamicUser = {dynamic};
        ProtectSystem = "strict";
        PrivateTmp = true;
        Restart = "on-failure";
      }};
    }};
    virtualisation.oci-containers.containers.{name} = {{
      image = "registry.example.org/{name}:{tag}";
      ports = [ "127.0.0.1:${{toString cfg.port}}:8080" ];
      volumes = [ "/srv/{name}:/data" ];
      extraOptions = [ {options} ];
      environment = {{ TZ = "UTC"; LOG_LEVEL = "info"; }};
    }};
  }};
}}
"""

HOST = """{{ config, lib, pkgs, modulesPath, ... }}:
{{
  imports = [
    ./hardware-configuration.nix
    ./services.nix
    ../../modules/common.nix
{imports}
  ];

  networking.hostName = "{host}";
{enables}

  users.users.admin = {{
    isNormalUser = true;
    extraGroups = [ "wheel" "networkmanager" ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{uuid} admin" ];
  }};

  environment.systemPackages = with pkgs; [ git vim htop curl jq ];
  system.stateVersion = "24.11";
}}
"""

HARDWARE = """{{ config, lib, modulesPath, ... }}:
{{
  imports = [ (modulesPath + "/installer/scan/not-detected.nix") ];

  boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" "usb_storage" "sd_mod" ];
  boot.kernelModules = [ "kvm-intel" ];
{storage}
  fileSystems."/boot" = {{ device = "/dev/disk/by-uuid/{boot}"; fsType = "vfat"; }};
  swapDevices = [ {{ device = "/dev/disk/by-partuuid/{uuid}"; randomEncryption.enable = true; }} ];

  hardware.cpu.intel.updateMicrocode = lib.mkDefault config.hardware.enableRedistributableFirmware;
}}
"""

ENCRYPTED = """  boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/{uuid}";
  fileSystems."/" = {{ device = "/dev/mapper/cryptroot"; fsType = "ext4"; }};
"""

PLAIN = """  fileSystems."/" = {{ device = "/dev/disk/by-uuid/{uuid}"; fsType = "ext4"; }};
"""

SERVICES = """{{ pkgs, lib, ... }}:
{{
  systemd.services.{host}-backup = {{
    description = "Backup of {host}";
    startAt = "daily";
    script = ''
      ${{pkgs.restic}}/bin/restic backup /srv --repo s3:https://backup.example.org/{host}
    '';
    serviceConfig = {{
      DynamicUser = true;
      ProtectSystem = "strict";
      PrivateTmp = true;
      NoNewPrivileges = true;
      StateDirectory = "{host}-backup";
    }};
  }};

  services.nginx = {{
    enable = {nginx};
    virtualHosts."{host}.example.org".locations."/".proxyPass = "http://127.0.0.1:8080";
  }};
  networking.firewall.allowedTCPPorts = lib.mkIf {nginx} [ 80 443 ];
}}
"""

COMMON = """{ lib, pkgs, ... }:
{
  nix.settings = {
    sandbox = lib.mkDefault true;
    trusted-users = [ "root" "@wheel" ];
    experimental-features = [ "nix-command" "flakes" ];
  };
  services.openssh = {
    enable = true;
    settings = { PermitRootLogin = "no"; PasswordAuthentication = false; };
  };
  security.sudo.wheelNeedsPassword = true;
  time.timeZone = "UTC";
  i18n.defaultLocale = "en_US.UTF-8";
}
"""


def generate(root: Path, hosts: int, roles: int, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    (root / "modules" / "roles").mkdir(parents=True, exist_ok=True)
    (root / "modules" / "common.nix").write_text(COMMON)
    names = [f"role{i}" for i in range(roles)]
    for i, name in enumerate(names):
        options = rng.choice(
            ['"--cap-drop=ALL"', '"--read-only"', '"--privileged"', '"--pids-limit=100"']
        )
        (root / "modules" / "roles" / f"{name}.nix").write_text(
            MODULE.format(
                name=name,
                port=8000 + i,
                dynamic=rng.choice(["true", "false"]),
                tag=rng.choice(["1.2.3", "latest", "2024.11"]),
                options=options,
            )
        )
    for h in range(hosts):
        host = f"host{h:04d}"
        chosen = rng.sample(names, k=min(len(names), rng.randint(2, 6)))
        imports = "\n".join(f"    ../../modules/roles/{n}.nix" for n in chosen)
        enables = "\n".join(f"  fleet.{n}.enable = true;" for n in chosen[: len(chosen) // 2 + 1])
        uuid = f"{rng.getrandbits(64):016x}"
        directory = root / "hosts" / host
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "default.nix").write_text(
            HOST.format(host=host, imports=imports, enables=enables, uuid=uuid)
        )
        storage = (PLAIN if rng.random() < 0.1 else ENCRYPTED).format(uuid=uuid)
        (directory / "hardware-configuration.nix").write_text(
            HARDWARE.format(storage=storage, uuid=uuid, boot=uuid[:8])
        )
        nginx = rng.choice(["true", "false"])
        (directory / "services.nix").write_text(SERVICES.format(host=host, nginx=nginx))
    return sorted(root.rglob("*.nix"))


if __name__ == "__main__":
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    files = generate(out, hosts=count, roles=max(count // 30, 4))
    print(f"{len(files)} files under {out}")
