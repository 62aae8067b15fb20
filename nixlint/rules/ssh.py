"""4xx: access — the SSH daemon (services.openssh)."""

from __future__ import annotations

from nixlint.findings import Severity
from nixlint.rules.table import OptionCheck, Requires, equals, matches, one_of, table_rule

SSHD = "services.openssh"
SSHD_ON = (Requires(f"{SSHD}.enable", equals(True)),)
SSH_REFS = (
    "https://man.openbsd.org/sshd_config",
    "https://search.nixos.org/options?query=services.openssh.settings",
)


def _sshd_line(keyword: str, values: str) -> str:
    """A regex for an sshd_config line ``Keyword value`` (keywords are case-insensitive)."""
    return rf"(?mi)^[ \t]*{keyword}[ \t]+(?:{values})[ \t]*(?:#.*)?$"


def _extra_config(keyword: str, values: str, problem: str) -> OptionCheck:
    return OptionCheck(
        f"{SSHD}.extraConfig",
        matches(_sshd_line(keyword, values), f"has a line `{keyword} {values}`"),
        problem,
        requires=SSHD_ON,
    )


table_rule(
    "NIX401",
    "ssh-root-login",
    category="access",
    severity=Severity.HIGH,
    cwe=250,
    summary="sshd lets root log in with a password",
    why="a guessed, sprayed or leaked root password gives full control of the host",
    fix='set services.openssh.settings.PermitRootLogin = "no" (or "prohibit-password")',
    checks=(
        OptionCheck(
            f"{SSHD}.settings.PermitRootLogin",
            equals("yes"),
            "sshd lets root log in with a password",
            requires=SSHD_ON,
        ),
        _extra_config("PermitRootLogin", "yes", "sshd lets root log in with a password"),
    ),
    rationale="""
    `PermitRootLogin yes` accepts every authentication method for root, passwords included.
    Root is the one account every attacker knows the name of; whoever logs in as root needs
    no further step. NixOS's default, `"prohibit-password"`, allows root only with a key.
    """,
    remediation="""
    ```nix
    services.openssh.settings.PermitRootLogin = "no";
    ```
    Log in as a user and use `sudo`; for deployment tools that need root over SSH, keep
    `"prohibit-password"` and authorise their key in `users.users.root.openssh.authorizedKeys.keys`.
    """,
    caveat="""
    A deployment that logs in as root with a password (`nixos-rebuild --target-host
    root@…`, colmena, deploy-rs) stops working: install a key for it first, and keep a
    session open while testing.
    """,
    references=SSH_REFS,
    bad="""
    {
      services.openssh = {
        enable = true;
        settings = {
          PermitRootLogin = "yes";
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
    good="""
    {
      services.openssh = {
        enable = true;
        settings = {
          PermitRootLogin = "no";
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
)

table_rule(
    "NIX402",
    "ssh-password-authentication",
    category="access",
    severity=Severity.HIGH,
    cwe=307,
    summary="sshd accepts password logins",
    why="passwords can be guessed, sprayed and phished, and the service is reachable by default",
    fix="set services.openssh.settings.PasswordAuthentication = false and log in with keys",
    details="""
    NixOS leaves `PasswordAuthentication` at `true` unless the configuration says otherwise,
    so an enabled sshd that does not set it accepts passwords.
    """,
    checks=(
        OptionCheck(
            f"{SSHD}.settings.PasswordAuthentication",
            equals(True),
            "sshd accepts password logins",
            unset=True,
            requires=SSHD_ON,
        ),
        _extra_config("PasswordAuthentication", "yes", "sshd accepts password logins"),
    ),
    rationale="""
    An SSH server reachable from the internet receives password guesses around the clock;
    `services.openssh.openFirewall` is `true` by default, so enabling sshd exposes it. A
    single weak or reused password is enough. Keys cannot be guessed or phished.
    """,
    remediation="""
    ```nix
    services.openssh.settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
    };
    users.users.alice.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAA… alice@laptop" ];
    ```
    """,
    caveat="""
    Users without an authorised key are locked out of SSH once this is applied: install
    keys first, and keep a session open while switching.
    """,
    references=SSH_REFS,
    bad="""
    {
      services.openssh = {
        enable = true;
        settings.KbdInteractiveAuthentication = false;
      };
    }
    """,
    good="""
    {
      services.openssh = {
        enable = true;
        settings = {
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
)

table_rule(
    "NIX403",
    "ssh-keyboard-interactive",
    category="access",
    severity=Severity.MEDIUM,
    cwe=307,
    summary="sshd accepts keyboard-interactive (PAM password) logins",
    why="with PAM's password module, keyboard-interactive is password login under another name",
    fix="set services.openssh.settings.KbdInteractiveAuthentication = false",
    details="""
    NixOS leaves `KbdInteractiveAuthentication` at `true`. NixOS enables PAM's password
    module for sshd only while `PasswordAuthentication` is true, so an unset
    `KbdInteractiveAuthentication` is reported only then; an explicit `true` always is.
    """,
    checks=(
        OptionCheck(
            f"{SSHD}.settings.KbdInteractiveAuthentication",
            equals(True),
            "sshd accepts keyboard-interactive logins",
            requires=SSHD_ON,
        ),
        OptionCheck(
            f"{SSHD}.settings.KbdInteractiveAuthentication",
            equals(True),
            "sshd accepts keyboard-interactive logins",
            unset=True,
            requires=(*SSHD_ON, Requires(f"{SSHD}.settings.PasswordAuthentication", equals(True))),
        ),
        _extra_config(
            "(?:KbdInteractiveAuthentication|ChallengeResponseAuthentication)",
            "yes",
            "sshd accepts keyboard-interactive logins",
        ),
    ),
    rationale="""
    Keyboard-interactive authentication asks PAM, and PAM asks for the account's password:
    turning off `PasswordAuthentication` alone does not stop password guessing when
    PAM's password module is in the stack.
    """,
    remediation="""
    ```nix
    services.openssh.settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
    };
    ```
    """,
    caveat="""
    Second factors served through PAM (one-time codes with `google-authenticator`, Duo)
    need keyboard-interactive: keep it then, and make sure PAM asks for the second factor
    in addition to a key (`AuthenticationMethods publickey,keyboard-interactive`).
    """,
    references=SSH_REFS,
    bad="""
    {
      services.openssh = {
        enable = true;
        settings = {
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = true;
        };
      };
    }
    """,
    good="""
    {
      services.openssh = {
        enable = true;
        settings = {
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
)

table_rule(
    "NIX404",
    "ssh-permit-empty-passwords",
    category="access",
    severity=Severity.CRITICAL,
    cwe=258,
    summary="sshd lets accounts with an empty password log in",
    why="anyone who can reach sshd logs in to such an account by pressing Enter",
    fix="remove PermitEmptyPasswords (sshd's default is no)",
    checks=(
        OptionCheck(
            f"{SSHD}.settings.PermitEmptyPasswords",
            one_of(True, "yes"),
            "sshd accepts empty passwords",
            requires=SSHD_ON,
        ),
        _extra_config("PermitEmptyPasswords", "yes", "sshd accepts empty passwords"),
    ),
    rationale="""
    Accounts with an empty password exist on purpose (kiosks, test users) or by accident
    (`hashedPassword = ""`). With `PermitEmptyPasswords yes` they become reachable over the
    network without any secret at all.
    """,
    remediation="""
    ```nix
    services.openssh.settings.PermitEmptyPasswords = false;
    ```
    """,
    caveat="""
    An account that only worked because it had no password needs a key (or a password)
    before this change.
    """,
    references=SSH_REFS,
    bad="""
    {
      services.openssh = {
        enable = true;
        settings = {
          PermitEmptyPasswords = true;
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
    good="""
    {
      services.openssh = {
        enable = true;
        settings = {
          PermitEmptyPasswords = false;
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
)

table_rule(
    "NIX405",
    "ssh-gateway-ports",
    category="access",
    severity=Severity.MEDIUM,
    cwe=668,
    summary="sshd lets clients publish forwarded ports on every address",
    why="a user's remote forward (ssh -R) becomes a port anyone on the network can reach",
    fix='set services.openssh.settings.GatewayPorts = "no"',
    checks=(
        OptionCheck(
            f"{SSHD}.settings.GatewayPorts",
            one_of("yes", "clientspecified", True),
            "sshd lets clients open ports on every address",
            requires=SSHD_ON,
        ),
        _extra_config(
            "GatewayPorts", "yes|clientspecified", "sshd lets clients open ports on every address"
        ),
    ),
    rationale="""
    With `GatewayPorts yes` every remote forward listens on all addresses of the server,
    not on loopback: a tunnel meant for one user exposes an internal service to the network,
    outside the NixOS firewall's port list (sshd is already allowed through).
    """,
    remediation="""
    ```nix
    services.openssh.settings.GatewayPorts = "no";
    ```
    If one tunnel must be public, allow it for that user alone in a `Match User` block.
    """,
    caveat="""
    Reverse tunnels that other machines connect to (a bastion publishing a home service)
    stop being reachable from outside; re-create them behind a reverse proxy or a
    `Match User` exception.
    """,
    references=SSH_REFS,
    bad="""
    {
      services.openssh = {
        enable = true;
        settings = {
          GatewayPorts = "yes";
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
    good="""
    {
      services.openssh = {
        enable = true;
        settings = {
          GatewayPorts = "no";
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
)

table_rule(
    "NIX406",
    "ssh-x11-forwarding",
    category="access",
    severity=Severity.LOW,
    cwe=668,
    summary="sshd allows X11 forwarding",
    why="a compromised server can read keystrokes and screen contents of the client's X session",
    fix="set services.openssh.settings.X11Forwarding = false, or allow it per user in a Match block",
    checks=(
        OptionCheck(
            f"{SSHD}.settings.X11Forwarding",
            equals(True),
            "sshd allows X11 forwarding",
            requires=SSHD_ON,
        ),
        _extra_config("X11Forwarding", "yes", "sshd allows X11 forwarding"),
    ),
    rationale="""
    X11 has no isolation between clients: a forwarded display lets whoever controls the
    server side (root there, or an attacker who became root) log the client's keystrokes
    and take screenshots. It also adds the X11 forwarding code to sshd's attack surface.
    """,
    remediation="""
    ```nix
    services.openssh.settings.X11Forwarding = false;
    ```
    """,
    caveat="""
    Users who run graphical programs over `ssh -X` lose that; allow it for them alone in
    a `Match User` block, or use a remote desktop protocol.
    """,
    references=SSH_REFS,
    bad="""
    {
      services.openssh = {
        enable = true;
        settings = {
          X11Forwarding = true;
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
    good="""
    {
      services.openssh = {
        enable = true;
        settings = {
          X11Forwarding = false;
          PasswordAuthentication = false;
          KbdInteractiveAuthentication = false;
        };
      };
    }
    """,
)
