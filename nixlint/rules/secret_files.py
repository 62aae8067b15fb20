"""5xx: secret files that end up in the Nix store — read with ``builtins.readFile``, named by
a path literal, or written into ``/etc``. Messages never show a secret's value."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import List
from nixlint.findings import Confidence, Severity
from nixlint.modules import WILDCARD
from nixlint.rules.base import Hit, HostContext, confidence_for, known_text, rule, when
from nixlint.rules.secrets import STORE_REFS, STORE_WHY
from nixlint.rules.secretwords import (
    LazyPattern,
    names_secret,
    safe_file,
    secret_file,
    secret_literal,
    store_path,
)

_PRIVATE_KEY = LazyPattern(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_ASSIGNMENT = LazyPattern(
    r"(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:][ \t]*([^\n#]*?)"
    r"[ \t]*(?:#[^\n]*)?$"
)
#: ``password value`` lines (msmtprc, netrc, many daemons' configuration files).
_KEYWORD = LazyPattern(
    r"(?mi)^[ \t]*(?:machine[ \t]+\S+[ \t]+login[ \t]+\S+[ \t]+)?"
    r"(password|passwd|secret|token|psk|apikey|api_key)[ \t]+([^\s#]+)"
)


def _credential_lines(text: str) -> Iterator[tuple[str, str]]:
    """(what, the text to point at) for credentials in a configuration file's text."""
    key = _PRIVATE_KEY.search(text)
    if key:
        yield "a private key", key.group(0)
    for match in _ASSIGNMENT.finditer(text):
        name, value = match.group(1), match.group(2).strip().strip("\"'")
        if names_secret(name.split(".")[-1]) and secret_literal(value) is not None:
            yield f"a {name} setting", match.group(0).split("#")[0].strip()
    for match in _KEYWORD.finditer(text):
        if secret_literal(match.group(2).strip("\"'")) is not None:
            yield f"a {match.group(1)} setting", match.group(0).strip()


@rule(
    "NIX504",
    "etc-file-secret",
    category="secrets",
    severity=Severity.HIGH,
    cwe=312,
    summary="A file written into /etc from the configuration contains a credential",
    rationale="""
    `environment.etc.<file>.text` and `.source` are built into the Nix store and linked
    from `/etc`: the file's mode in `/etc` does not help, because the store copy is
    readable by every local user. A private key or a password there is everyone's.
    """,
    remediation="""
    Write the file at activation time from a secret manager, and keep only a reference in
    the configuration:
    ```nix
    age.secrets."ssmtp-password".path = "/etc/ssmtp/password";
    environment.etc."ssmtp/ssmtp.conf".text = ''
      AuthPassFile=/etc/ssmtp/password
    '';
    ```
    """,
    caveat="""
    The credential has been in the store: rotate it. Programs that need the file at a fixed
    path may need the secret manager to place it there (agenix `path`, sops-nix `path`).
    """,
    references=(
        "https://search.nixos.org/options?query=environment.etc",
        *STORE_REFS,
    ),
    bad="""
    {
      environment.etc."backup/credentials".text = ''
        user = backup
        password = hunter2-but-longer
      '';
    }
    """,
    good="""
    {
      environment.etc."backup/credentials.conf".text = ''
        user = backup
        password_file = /run/secrets/backup-password
      '';
    }
    """,
)
def etc_file_secret(ctx: HostContext) -> Iterator[Hit]:
    """Flags `environment.etc.<file>.text` holding a private key block or a line assigning a
    literal to a name that says password, secret, token or key (`password = …`,
    `API_TOKEN=…`), and `environment.etc.<file>.source` given a Nix path literal whose file
    name says it is secret material (`*.key`, `id_ed25519`, `secrets/…`)."""
    for entry in ctx.match("environment.etc.*"):
        name = entry[-1]
        for it in ctx.candidate_values((*entry, "text")):
            text = known_text(it.value)
            if not text:
                continue
            for what, evidence in _credential_lines(text):
                yield Hit(
                    it.span_of(re.compile(re.escape(evidence))),
                    f"/etc/{name} has {what} written in the configuration{when(it.conditional)}: "
                    f"{STORE_WHY}; create the file at activation from a secret manager",
                    schema.join((*entry, "text")),
                    confidence=confidence_for(Confidence.HIGH, it.conditional),
                )
        for it in ctx.candidate_values((*entry, "source")):
            source = store_path(it.value)
            if source is None or not (secret_file(source) or secret_file(name)):
                continue
            yield Hit(
                it.span,
                f"/etc/{name} is copied from {_short(source)} into the Nix store"
                f"{when(it.conditional)}: {STORE_WHY}; deploy the file with a secret manager",
                schema.join((*entry, "source")),
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )


def _short(path: str) -> str:
    import os

    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


_READERS = {"readFile", "fileContents"}


@rule(
    "NIX506",
    "readfile-secret",
    category="secrets",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=312,
    summary="A secret file is read into the configuration with builtins.readFile",
    rationale="""
    `builtins.readFile ./secrets/token` puts the file's contents into the configuration,
    and from there into a generated file in the world-readable Nix store. Keeping the file
    out of git (or in a private repository) does not help once it is evaluated.
    """,
    remediation="""
    Encrypt the file for the host and let a secret manager decrypt it at activation; give
    the service the decrypted file's path:
    ```nix
    age.secrets.api-token.file = ./secrets/api-token.age;
    services.myapp.tokenFile = config.age.secrets.api-token.path;
    ```
    """,
    caveat="""
    The secret has been in the store of every machine that built the configuration (and in
    binary caches): rotate it. The service must support reading the secret from a file.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/language/builtins.html#builtins-readFile",
        "https://github.com/ryantm/agenix",
        *STORE_REFS,
    ),
    bad="""
    {
      services.myapp.settings.api_token = builtins.readFile ./secrets/api-token;
    }
    """,
    good="""
    {
      services.myapp.settings.motd = builtins.readFile ./motd.txt;
    }
    """,
)
def readfile_secret(ctx: HostContext) -> Iterator[Hit]:
    """Flags `builtins.readFile`, `readFile` and `lib.fileContents` applied to a path whose
    name says it is secret material (`secret`, `password`, `token`, `private`, `*.key`,
    `*.pem`, `id_ed25519`, `.env`, `netrc`…), in any module of the host. Encrypted or public
    files (`*.age`, `*.gpg`, `*.pub`, sops files) are not reported. The argument is judged
    by its text, so confidence is medium."""
    seen: set[str] = set()
    for module in ctx.host.modules:
        src = module.src
        if src.path in seen or src.tree is None:
            continue
        seen.add(src.path)
        if b"readFile" not in src.data and b"fileContents" not in src.data:
            continue
        for node in _apply_nodes(src.tree.root_node):
            function, argument = node.children[0], node.children[-1]
            name = src.text(function).rsplit(".", 1)[-1]
            if name not in _READERS:
                continue
            text = src.text(argument)
            if "/" not in text and "." not in text:
                continue
            target = text.strip("()\"' ")
            if safe_file(target) or not secret_file(target):
                continue
            yield Hit(
                src.span(node),
                f"{src.text(function)} reads {' '.join(target.split())} into the configuration: "
                f"{STORE_WHY}; decrypt it at activation with a secret manager and pass its path",
                None,
            )


def _apply_nodes(root: object) -> Iterator[object]:
    """Every ``apply_expression`` under ``root``, iteratively (trees can be deep)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "apply_expression":  # type: ignore[attr-defined]
            yield node
        stack.extend(node.children)  # type: ignore[attr-defined]


_FILE_OPTION = LazyPattern(
    r"(?i)(?:(?:password|passwd|passphrase|secret|secrets|token|key|credential|credentials|"
    r"psk|auth|environment|env|netrc)[A-Za-z-]*files?|sslCertificateKey|sslKey|tlsKey|"
    r"netrc-file|environmentFiles?)$"
)
_NOT_SECRET_OPTION = LazyPattern(
    r"(?i)(authorizedKeys|knownHosts|publicKey|sopsFile|\bluks\b|trusted-public-keys|"
    r"caFile|cacert|certificate(?!Key)|signing)"
)


#: Options for secret files whose names do not say so.
_SECRET_FILE_OPTIONS = {
    ("boot", "initrd", "network", "ssh", "hostKeys"),
    ("services", "openssh", "hostKeys"),
}


def _file_options(ctx: HostContext) -> Iterator[tuple[str, ...]]:
    """Options for secret files, in order."""
    yield from sorted(ctx.graph.paths_where(_is_file_option))


def _is_file_option(path: tuple[str, ...]) -> bool:
    """An option that names a secret file (the last component decides first: its verdict
    is remembered, and few of a host's many option paths pass)."""
    if len(path) < 2 or path[-1] == WILDCARD:
        return False
    file_named = _names_file(path[-1])
    special = path[0] in ("boot", "services") and (
        path in _SECRET_FILE_OPTIONS or path[:3] == ("boot", "initrd", "secrets")
    )
    if not special and not file_named:
        return False
    if path[:3] == ("boot", "initrd", "luks") or _disko_luks_setting(path):
        return False  # the encryption rules judge LUKS key files
    named = file_named and not _NOT_SECRET_OPTION.search(schema.join(path))
    return named or special


def _disko_luks_setting(path: tuple[str, ...]) -> bool:
    """A ``settings`` entry of a disko content, which disko passes on to
    ``boot.initrd.luks.devices``."""
    return path[:2] == ("disko", "devices") and len(path) > 2 and path[-2] == "settings"


#: Option names judged so far.
_FILE_NAMES: dict[str, bool] = {}


def _names_file(name: str) -> bool:
    """The option's name says it is a secret file (``passwordFile``, ``sslKey``…)."""
    found = _FILE_NAMES.get(name)
    if found is None:
        if len(_FILE_NAMES) >= 1 << 16:
            _FILE_NAMES.clear()
        found = _FILE_NAMES[name] = _FILE_OPTION.search(name) is not None
    return found


@rule(
    "NIX508",
    "secret-file-in-store",
    category="secrets",
    severity=Severity.HIGH,
    cwe=312,
    summary="A secret file is given as a Nix path literal, which copies it into the store",
    rationale="""
    A path literal (`./secrets/db-password`) is copied into the Nix store when the
    configuration is built: the option's value becomes `/nix/store/…-db-password`,
    readable by every local user, kept in every generation and pushed to binary caches.
    A string path (`"/run/secrets/db-password"`) is read at run time and never copied.
    """,
    remediation="""
    Refer to the file as a string, and deploy the file itself with a secret manager:
    ```nix
    age.secrets.db-password.file = ./secrets/db-password.age;
    services.myapp.passwordFile = config.age.secrets.db-password.path;
    ```
    """,
    caveat="""
    The file has been in the store: rotate the secret. Quoting the path (`"${./x}"`) does
    not help — interpolation copies it too; the file must reach the host another way.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/language/types.html#type-path",
        "https://github.com/Mic92/sops-nix",
        *STORE_REFS,
    ),
    bad="""
    {
      services.myapp.passwordFile = ./secrets/db-password;
    }
    """,
    good="""
    {
      services.myapp.passwordFile = "/run/secrets/db-password";
    }
    """,
)
def secret_file_in_store(ctx: HostContext) -> Iterator[Hit]:
    """Flags options for secret files — names ending in `passwordFile`, `keyFile`,
    `secretFile`, `tokenFile`, `credentialsFile`, `environmentFile(s)`, `netrc-file`,
    `sslCertificateKey`…, `boot.initrd.secrets` entries and initrd SSH host keys
    (`boot.initrd.network.ssh.hostKeys`) — whose value is a Nix path literal (or a list
    holding one). Encrypted files (`*.age`, sops files), public keys and
    certificates are not reported; LUKS key files are left to the encryption rules."""
    for path in _file_options(ctx):
        for it in ctx.candidate_values(path):
            values = (
                [t.force() for t in it.value.items] if isinstance(it.value, List) else [it.value]
            )
            for value in values:
                source = store_path(value)
                if source is None or safe_file(source) or source.endswith(".nix"):
                    continue  # not a file, an encrypted one, or Nix source
                yield Hit(
                    it.span,
                    f"{schema.join(path)} is the path literal {_short(source)}, which is "
                    f"copied into the Nix store{when(it.conditional)}: {STORE_WHY}; give a "
                    "string path to a file deployed outside the store",
                    schema.join(path),
                    confidence=confidence_for(Confidence.HIGH, it.conditional),
                )
