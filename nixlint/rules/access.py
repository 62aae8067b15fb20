"""4xx: access — sudo/doas, passwords and logins, polkit, the boot loader."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint.evaluate.values import AttrSet, List, Thunk
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, confidence_for, known_text, rule, when
from nixlint.rules.table import OptionCheck, Requires, equals, matches, table_rule

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
    why=(
        "appending init=/bin/sh at the boot menu gives a root shell without the root password"
        " (with an encrypted root, to anyone who also has the disk passphrase)"
    ),
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
    kernel command line and boots into a root shell, bypassing every login. An encrypted
    root narrows this to whoever can also unlock the disk (a user who knows the passphrase
    but not the root password, or an unattended TPM unlock).
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

table_rule(
    "NIX417",
    "pam-null-password",
    category="access",
    severity=Severity.MEDIUM,
    cwe=258,
    summary="A PAM service accepts accounts whose password is empty",
    why="an account with an empty password (by mistake or for a kiosk) logs in through it without any secret",
    fix="remove allowNullPassword (the default is false)",
    checks=(
        OptionCheck(
            "security.pam.services.*.allowNullPassword",
            equals(True),
            "PAM service '{0}' accepts empty passwords",
        ),
    ),
    rationale="""
    `allowNullPassword` adds `nullok` to pam_unix: the password check passes for an
    account whose password field is empty. Combined with a mistake elsewhere — an empty
    `hashedPassword`, an account created by a package — the service lets anyone in.
    """,
    remediation="""
    ```nix
    security.pam.services.login.allowNullPassword = false;
    ```
    Give accounts that must not need a password another way in (autologin on one console,
    a key for SSH).
    """,
    caveat="""
    Accounts that really have an empty password can no longer log in through that service:
    set a password or lock them (`hashedPassword = "!"`) first.
    """,
    references=(
        "https://search.nixos.org/options?query=security.pam.services.%3Cname%3E.allowNullPassword",
        "https://man7.org/linux/man-pages/man8/pam_unix.8.html",
    ),
    bad="""
    {
      security.pam.services.login.allowNullPassword = true;
    }
    """,
    good="""
    {
      security.pam.services.login.allowNullPassword = false;
    }
    """,
)
