"""4xx: access — sshd, sudo/doas, passwords and logins, polkit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint.evaluate.values import AttrSet, List, Thunk
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, confidence_for, known_text, rule, when
from nixlint.rules.table import (
    OptionCheck,
    Requires,
    equals,
    matches,
    one_of,
    table_rule,
)

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

table_rule(
    "NIX410",
    "sudo-wheel-nopasswd",
    category="access",
    severity=Severity.MEDIUM,
    cwe=306,
    summary="Members of wheel become root without a password",
    why="any program running as such a user (a browser exploit, a malicious package script) becomes root silently",
    fix="remove wheelNeedsPassword = false (the default is true)",
    checks=(
        OptionCheck(
            "security.sudo.wheelNeedsPassword",
            equals(False),
            "sudo lets wheel run anything as root without a password",
            requires=(Requires("security.sudo.enable", equals(True)),),
        ),
        OptionCheck(
            "security.sudo-rs.wheelNeedsPassword",
            equals(False),
            "sudo-rs lets wheel run anything as root without a password",
            requires=(Requires("security.sudo-rs.enable", equals(True)),),
        ),
        OptionCheck(
            "security.doas.wheelNeedsPassword",
            equals(False),
            "doas lets wheel run anything as root without a password",
            requires=(Requires("security.doas.enable", equals(True)),),
        ),
    ),
    rationale="""
    The password prompt is what separates the user's session from root. Without it, code
    that runs as the user — a compromised browser, an editor plugin, a `postinstall`
    script — runs `sudo` too.
    """,
    remediation="""
    ```nix
    security.sudo.wheelNeedsPassword = true;
    ```
    For automation that needs root, allow the exact commands it runs in
    `security.sudo.extraRules` instead.
    """,
    caveat="""
    Deployment tools that run `sudo` non-interactively (deploy-rs, colmena, `nixos-rebuild
    --use-remote-sudo`) fail once a password is needed: give them a dedicated user and
    a narrow rule, or deploy as root with a key.
    """,
    references=(
        "https://search.nixos.org/options?query=security.sudo.wheelNeedsPassword",
        "https://www.sudo.ws/docs/man/sudoers.man/#NOPASSWD",
    ),
    bad="""
    {
      security.sudo.wheelNeedsPassword = false;
    }
    """,
    good="""
    {
      security.sudo.wheelNeedsPassword = true;
    }
    """,
)


# -- NOPASSWD rules ---------------------------------------------------------------------------

_SUDOERS_NOPASSWD = re.compile(r"(?m)^[ \t]*[^#\n]*\bNOPASSWD[ \t]*:[ \t]*([^\n]*)$")
_DOAS_NOPASS = re.compile(r"(?m)^[ \t]*permit[ \t]+(?:[^#\n]*[ \t])?nopass\b[^\n]*$")


def _thunks(value: object) -> list[Thunk]:
    return value.items if isinstance(value, List) else []


def _get(value: object, name: str) -> Thunk | None:
    return value.get(name) if isinstance(value, AttrSet) else None


def _all_commands(text: str) -> bool:
    return any(part.strip() in ("ALL", "") for part in text.split(","))


def _sudo_rules(ctx: HostContext, option: str, tool: str) -> Iterator[Hit]:
    for entry in ctx.items(option):
        commands = _get(entry.value, "commands")
        if commands is None:
            continue
        for command in _thunks(commands.force()):
            value = command.force()
            options = _get(value, "options")
            if options is None:
                continue
            for opt in _thunks(options.force()):
                if opt.force() != "NOPASSWD":
                    continue
                cmd = _get(value, "command")
                shown = known_text(cmd.force()) if cmd is not None else None
                yield _nopasswd_hit(opt.span or entry.span, option, tool, shown, entry.conditional)


def _nopasswd_hit(
    span: object, option: str, tool: str, command: str | None, conditional: bool
) -> Hit:
    everything = command is None or _all_commands(command)
    what = "any command" if everything else f"{command!r}"
    return Hit(
        span,  # type: ignore[arg-type]
        f"{tool} runs {what} as another user without a password (NOPASSWD){when(conditional)}: "
        + (
            "whoever runs code as that user becomes root silently; "
            if everything
            else "if the command can start other programs or write files, that is root; "
        )
        + "drop NOPASSWD, or narrow it to commands that take no user-controlled arguments",
        option,
        severity=Severity.HIGH if everything else Severity.LOW,
        confidence=confidence_for(Confidence.HIGH, conditional),
    )


def _text_hits(ctx: HostContext, option: str, tool: str) -> Iterator[Hit]:
    for it in ctx.candidate_values(option):
        text = known_text(it.value)
        if not text:
            continue
        pattern = _DOAS_NOPASS if tool == "doas" else _SUDOERS_NOPASSWD
        for match in pattern.finditer(text):
            line = match.group(0).strip()
            command = None if tool == "doas" else match.group(1).strip()
            if tool == "doas" and " cmd " in f" {line} ":
                command = line.split(" cmd ", 1)[1].split()[0]
            span = it.span_of(re.compile(re.escape(line)))
            yield _nopasswd_hit(span, option, tool, command, it.conditional)


def _doas_rules(ctx: HostContext) -> Iterator[Hit]:
    for entry in ctx.items("security.doas.extraRules"):
        no_pass = _get(entry.value, "noPass")
        if no_pass is None or no_pass.force() is not True:
            continue
        cmd = _get(entry.value, "cmd")
        command = known_text(cmd.force()) if cmd is not None else None
        if cmd is not None and cmd.force() is None:
            command = None
        yield _nopasswd_hit(
            no_pass.span or entry.span,
            "security.doas.extraRules",
            "doas",
            command,
            entry.conditional,
        )


@rule(
    "NIX411",
    "sudo-nopasswd-rule",
    category="access",
    severity=Severity.HIGH,
    cwe=306,
    summary="A sudo or doas rule runs commands as root without a password",
    rationale="""
    A rule without a password turns the user's account into a root account for those
    commands: anything that runs as the user can use it. For "ALL", that is root outright;
    for a single command, it is root whenever the command can be steered (arguments, files
    it reads, programs it starts — `systemctl`, `nixos-rebuild`, editors, interpreters).
    """,
    remediation="""
    Require the password, or allow exactly one harmless command:
    ```nix
    security.sudo.extraRules = [
      {
        users = [ "backup" ];
        commands = [ { command = "/run/current-system/sw/bin/systemctl start backup.service"; options = [ "NOPASSWD" ]; } ];
      }
    ];
    ```
    """,
    caveat="""
    Automation that relied on the passwordless rule stops working; list the commands it
    really runs (with their arguments) before narrowing the rule.
    """,
    references=(
        "https://www.sudo.ws/docs/man/sudoers.man/#NOPASSWD",
        "https://man.openbsd.org/doas.conf.5",
        "https://search.nixos.org/options?query=security.sudo.extraRules",
    ),
    bad="""
    {
      security.sudo.extraRules = [
        {
          groups = [ "wheel" ];
          commands = [ { command = "ALL"; options = [ "NOPASSWD" ]; } ];
        }
      ];
    }
    """,
    good="""
    {
      security.sudo.extraRules = [
        {
          groups = [ "wheel" ];
          commands = [ { command = "ALL"; options = [ "SETENV" ]; } ];
        }
      ];
    }
    """,
)
def sudo_nopasswd_rule(ctx: HostContext) -> Iterator[Hit]:
    """Flags `NOPASSWD` in `security.sudo.extraRules` and `security.sudo-rs.extraRules`
    (the `options` of a command), `NOPASSWD:` lines in their `extraConfig`,
    `noPass = true` in `security.doas.extraRules` and `permit nopass` in
    `security.doas.extraConfig`. A rule for every command is high severity; a rule for
    named commands is low (it is root only when the command can be steered)."""
    yield from _sudo_rules(ctx, "security.sudo.extraRules", "sudo")
    yield from _sudo_rules(ctx, "security.sudo-rs.extraRules", "sudo-rs")
    yield from _text_hits(ctx, "security.sudo.extraConfig", "sudo")
    yield from _text_hits(ctx, "security.sudo-rs.extraConfig", "sudo-rs")
    yield from _doas_rules(ctx)
    yield from _text_hits(ctx, "security.doas.extraConfig", "doas")


table_rule(
    "NIX412",
    "sudo-exec-any-user",
    category="access",
    severity=Severity.LOW,
    cwe=250,
    summary="Every user may execute the setuid sudo binary",
    why="a bug in sudo's setuid code is then exploitable by every local account, not only by wheel",
    fix="set security.sudo.execWheelOnly = true",
    details="Only an explicit `false` is reported (it is the default, which NixOS keeps for compatibility).",
    checks=(
        OptionCheck(
            "security.sudo.execWheelOnly",
            equals(False),
            "any local user may execute sudo",
            requires=(Requires("security.sudo.enable", equals(True)),),
        ),
        OptionCheck(
            "security.sudo-rs.execWheelOnly",
            equals(False),
            "any local user may execute sudo-rs",
            requires=(Requires("security.sudo-rs.enable", equals(True)),),
        ),
    ),
    rationale="""
    sudo runs setuid root for whoever executes it, and has had privilege-escalation bugs
    reachable by users who are in no sudoers rule (Baron Samedit, CVE-2021-3156). With
    `execWheelOnly`, only wheel members can execute it at all.
    """,
    remediation="""
    ```nix
    security.sudo.execWheelOnly = true;
    ```
    """,
    caveat="""
    Users outside wheel who have their own `extraRules` entries can no longer run sudo;
    add them to wheel or give them another way (a systemd unit they may start via polkit).
    """,
    references=(
        "https://search.nixos.org/options?query=security.sudo.execWheelOnly",
        "https://nvd.nist.gov/vuln/detail/CVE-2021-3156",
    ),
    bad="""
    {
      security.sudo.execWheelOnly = false;
    }
    """,
    good="""
    {
      security.sudo.execWheelOnly = true;
    }
    """,
)


def _users(option: str) -> str:
    return f"users.users.*.{option}"


table_rule(
    "NIX413",
    "empty-password",
    category="access",
    severity=Severity.HIGH,
    cwe=258,
    summary="An account has an empty password",
    why="anyone at the console, and any service that accepts passwords, logs in without a secret",
    fix='set hashedPasswordFile (or a hash from mkpasswd), or lock the account with hashedPassword = "!"',
    checks=tuple(
        OptionCheck(
            _users(option),
            equals(""),
            f"user '{{0}}' has an empty {option}",
            names=names,
            severity=severity,
        )
        for option in ("hashedPassword", "initialHashedPassword", "password", "initialPassword")
        for names, severity in (("^root$", Severity.CRITICAL), ("^(?!root$)", None))
    ),
    rationale="""
    An empty password hash means "no password": `login`, `su`, display managers and any
    PAM service that allows null passwords let the account in without asking. For root,
    that is the whole machine for anyone with a keyboard.
    """,
    remediation="""
    Lock the account, or give it a real password from a file that is not in the store:
    ```nix
    users.users.alice.hashedPasswordFile = "/run/secrets/alice-password";
    users.users.guest.hashedPassword = "!";
    ```
    """,
    caveat="""
    A locked account (`"!"`) can still log in with SSH keys; an account nobody set a
    password for may be used by automation — check before locking it.
    """,
    references=(
        "https://search.nixos.org/options?query=users.users.%3Cname%3E.hashedPassword",
        "https://nixos.org/manual/nixos/stable/#sec-user-management",
    ),
    bad="""
    {
      users.users.alice = {
        isNormalUser = true;
        hashedPassword = "";
      };
    }
    """,
    good="""
    {
      users.users.alice = {
        isNormalUser = true;
        hashedPasswordFile = "/run/secrets/alice-password";
      };
    }
    """,
)

table_rule(
    "NIX414",
    "autologin",
    category="access",
    severity=Severity.LOW,
    cwe=306,
    summary="A console or display manager logs a user in without a password",
    why="whoever has the machine in hand (or its console in a hosting panel) gets that session",
    fix="remove the autologin, or accept it only on a machine with full-disk encryption",
    checks=(
        OptionCheck(
            "services.getty.autologinUser",
            equals("root"),
            "the console logs root in automatically",
            severity=Severity.HIGH,
        ),
        OptionCheck(
            "services.getty.autologinUser",
            matches(r"^(?!root$).+", "is a user other than root"),
            "the console logs {value} in automatically",
        ),
        OptionCheck(
            "services.displayManager.autoLogin.enable",
            equals(True),
            "the display manager logs a user in automatically",
        ),
    ),
    rationale="""
    Autologin gives the session to whoever turns the machine on or reaches its console — a
    stolen laptop, a hosting provider's web console, a virtual machine's serial port. Without
    disk encryption, the data is exposed anyway; with it, autologin still skips the only
    check after the disk passphrase.
    """,
    remediation="""
    ```nix
    services.getty.autologinUser = null;
    services.displayManager.autoLogin.enable = false;
    ```
    """,
    caveat="""
    Kiosks, installers and single-purpose VMs rely on autologin; keep it there, and make
    sure the auto-logged-in user has no sudo rights.
    """,
    references=(
        "https://search.nixos.org/options?query=services.getty.autologinUser",
        "https://search.nixos.org/options?query=services.displayManager.autoLogin",
    ),
    bad="""
    {
      services.getty.autologinUser = "alice";
    }
    """,
    good="""
    {
      services.getty.autologinUser = null;
    }
    """,
)


# -- polkit -----------------------------------------------------------------------------------

_ADD_RULE = re.compile(r"polkit\.addRule\s*\(")
_RESULT_YES = re.compile(r"return\s+polkit\.Result\.YES\b")


def _rule_bodies(text: str) -> Iterator[tuple[int, str]]:
    """(offset, body) for each ``polkit.addRule(function (...) { … })`` in a JavaScript text."""
    for match in _ADD_RULE.finditer(text):
        start = text.find("{", match.end())
        if start < 0:
            continue
        depth = 0
        for index in range(start, len(text)):
            if text[index] == "{":
                depth += 1
            elif text[index] == "}":
                depth -= 1
                if depth == 0:
                    yield start, text[start : index + 1]
                    break


@rule(
    "NIX415",
    "polkit-allow-all",
    category="access",
    severity=Severity.MEDIUM,
    cwe=285,
    summary="A polkit rule authorises actions without looking at which action it is",
    rationale="""
    A polkit rule that returns `polkit.Result.YES` without checking `action.id` grants
    every privileged action polkit guards — mounting disks, managing systemd units,
    libvirt, NetworkManager, rebooting — without authentication, to whoever the rule
    matches (often everyone in a group, sometimes every local user).
    """,
    remediation="""
    Name the actions the rule is for:
    ```nix
    security.polkit.extraConfig = ''
      polkit.addRule(function (action, subject) {
        if (action.id == "org.freedesktop.systemd1.manage-units" &&
            action.lookup("unit") == "backup.service" &&
            subject.isInGroup("backup")) {
          return polkit.Result.YES;
        }
      });
    '';
    ```
    """,
    caveat="""
    Desktop tools that relied on the blanket rule (disk mounting, network changes) ask
    for a password afterwards; list their action ids (`pkaction`) and allow those alone.
    """,
    references=(
        "https://www.freedesktop.org/software/polkit/docs/latest/polkit.8.html",
        "https://search.nixos.org/options?query=security.polkit.extraConfig",
    ),
    bad="""
    {
      security.polkit.extraConfig = ''
        polkit.addRule(function (action, subject) {
          if (subject.isInGroup("wheel")) {
            return polkit.Result.YES;
          }
        });
      '';
    }
    """,
    good="""
    {
      security.polkit.extraConfig = ''
        polkit.addRule(function (action, subject) {
          if (action.id == "org.freedesktop.login1.reboot" && subject.isInGroup("wheel")) {
            return polkit.Result.YES;
          }
        });
      '';
    }
    """,
)
def polkit_allow_all(ctx: HostContext) -> Iterator[Hit]:
    """Flags `polkit.addRule` functions in `security.polkit.extraConfig` that return
    `polkit.Result.YES` and never look at `action.id` (nor call `action.lookup`)."""
    for it in ctx.candidate_values("security.polkit.extraConfig"):
        text = known_text(it.value)
        if not text:
            continue
        for _offset, body in _rule_bodies(text):
            yes = _RESULT_YES.search(body)
            if yes is None or "action.id" in body or "action.lookup" in body:
                continue
            who = _subject(body)
            yield Hit(
                it.span_of(re.compile(re.escape(yes.group(0)))),
                f"a polkit rule allows every action{who} without authentication"
                f"{when(it.conditional)}: it never checks action.id, so it grants disk, "
                "unit and network management alike; compare action.id with the actions "
                "the rule is meant for",
                "security.polkit.extraConfig",
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )


def _subject(body: str) -> str:
    group = re.search(r"isInGroup\(\s*[\"']([^\"']+)[\"']", body)
    if group:
        return f" to members of {group.group(1)}"
    user = re.search(r"subject\.user\s*==\s*[\"']([^\"']+)[\"']", body)
    if user:
        return f" to {user.group(1)}"
    return " to every user it matches"


table_rule(
    "NIX416",
    "boot-editor-enabled",
    category="access",
    severity=Severity.LOW,
    cwe=1188,
    summary="systemd-boot lets anyone at the console edit the kernel command line",
    why="appending init=/bin/sh at the boot menu gives a root shell without any password",
    fix="set boot.loader.systemd-boot.editor = false",
    details="NixOS's default for `boot.loader.systemd-boot.editor` is `true`.",
    checks=(
        OptionCheck(
            "boot.loader.systemd-boot.editor",
            equals(True),
            "the boot menu's command-line editor is enabled",
            unset=True,
            requires=(Requires("boot.loader.systemd-boot.enable", equals(True)),),
        ),
    ),
    rationale="""
    The NixOS option's own documentation recommends turning the editor off: with it, anyone
    who can press a key at boot (physical access, a hosting provider's console) edits the
    kernel command line and boots into a root shell, bypassing every login.
    """,
    remediation="""
    ```nix
    boot.loader.systemd-boot.editor = false;
    ```
    """,
    caveat="""
    Recovering a machine with a broken configuration then needs a previous generation from
    the boot menu or a rescue medium instead of editing the command line.
    """,
    references=(
        "https://search.nixos.org/options?query=boot.loader.systemd-boot.editor",
        "https://www.freedesktop.org/software/systemd/man/latest/loader.conf.html",
    ),
    bad="""
    {
      boot.loader.systemd-boot.enable = true;
    }
    """,
    good="""
    {
      boot.loader.systemd-boot = {
        enable = true;
        editor = false;
      };
    }
    """,
)
