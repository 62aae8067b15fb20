"""1xx: containers started by hand — `docker run` / `podman run` command lines in the
scripts a configuration writes (systemd units, `writeShellScript`…), which the
`virtualisation.oci-containers` rules do not see."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nixlint.findings import Severity
from nixlint.rules.base import FileContext, Hit, file_rule
from nixlint.rules.containers import is_runtime_socket
from nixlint.rules.syntax_tree import STRINGS, find

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.parse import SourceFile

#: Where one command of a shell line ends and the next begins.
_SEPARATOR = re.compile(r"&&|\|\||[;|&()]")
#: Words that may stand before the runtime without changing what runs.
_PREFIXES = frozenset({"exec", "sudo", "command", "nohup", "time", "env"})
_RUNTIMES = frozenset({"docker", "podman"})
_VOLUME_FLAGS = frozenset({"-v", "--volume"})
#: A shell word; an interpolation (``${toString n}``) stays inside its word.
_WORD = re.compile(r"(?:\$\{[^}]*\}|\S)+")


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: int  # byte offset in the file


def _has_container_run(data: bytes) -> bool:
    return (b"docker" in data or b"podman" in data) and (
        b"--privileged" in data or b".sock" in data
    )


def _lines(src: SourceFile, node: Node) -> Iterator[list[Word]]:
    """The logical lines of a string literal (backslash-newline continued), as words with
    their byte offsets; shell comments left out."""
    raw = src.data[node.start_byte : node.end_byte]
    words: list[Word] = []
    offset = node.start_byte
    for line in raw.split(b"\n"):
        text = line.decode("utf-8", "replace")
        stripped = text.strip()
        continued = stripped.endswith("\\")
        if not stripped.startswith("#"):
            for match in _WORD.finditer(text.rstrip("\\")):
                start = offset + len(text[: match.start()].encode())
                words.append(Word(match.group(0), start))
        offset += len(line) + 1
        if not continued:
            if words:
                yield words
            words = []
    if words:
        yield words


def _commands(words: list[Word]) -> Iterator[list[Word]]:
    """The commands of a logical line, split at ``;``, ``&&``, ``|``…"""
    current: list[Word] = []
    for word in words:
        if _SEPARATOR.fullmatch(word.text):
            if current:
                yield current
            current = []
            continue
        current.append(word)
    if current:
        yield current


def _runtime(word: str) -> str | None:
    """``docker`` for ``docker``, ``/run/current-system/sw/bin/docker`` or
    ``${pkgs.docker}/bin/docker``."""
    name = word.rsplit("/", 1)[-1].strip("'\"")
    return name if name in _RUNTIMES else None


def script_commands(src: SourceFile) -> Iterator[list[Word]]:
    """Each shell command written in a string of the file (a line, or a part of one after
    ``;``, ``&&``, ``|``…), from its program on (``exec``, ``sudo`` and the like left out)."""
    if src.root is None:
        return
    for node in find(src.root, "[(string_expression) (indented_string_expression)] @s", "s"):
        if node.type not in STRINGS:
            continue
        for line in _lines(src, node):
            for command in _commands(line):
                index = 0
                while index < len(command) and command[index].text in _PREFIXES:
                    index += 1
                if index < len(command):
                    yield command[index:]


def container_runs(src: SourceFile) -> Iterator[tuple[str, list[Word]]]:
    """(runtime, arguments after ``run``) for each ``docker run`` / ``podman run`` (or
    ``container run``) command that starts a line or follows a shell separator."""
    for command in script_commands(src):
        runtime = _runtime(command[0].text)
        rest = [w.text for w in command[1:3]]
        if runtime is None or not rest:
            continue
        if rest[0] == "run":
            yield runtime, command[2:]
        elif rest[:2] == ["container", "run"]:
            yield runtime, command[3:]


def _flags(args: list[Word]) -> Iterator[tuple[str, str | None, Word]]:
    """(flag, value, word) up to the image name."""
    index = 0
    while index < len(args):
        word = args[index]
        text = word.text.strip("'\"")
        if not text.startswith("-"):
            return  # the image: what follows are the container's own arguments
        if "=" in text:
            flag, value = text.split("=", 1)
            yield flag, value.strip("'\""), word
        elif index + 1 < len(args) and not args[index + 1].text.startswith("-"):
            yield text, args[index + 1].text.strip("'\""), word
            if text not in ("--privileged", "--rm", "-d", "--detach", "-i", "-t", "-it"):
                index += 1
        else:
            yield text, None, word
        index += 1


@file_rule(
    "NIX124",
    "script-container-privileged",
    prefilter=_has_container_run,
    category="containers",
    severity=Severity.HIGH,
    cwe=250,
    summary="A script starts a container privileged or hands it the container runtime's socket",
    rationale="""
    A `docker run` or `podman run` written into a systemd unit's script (or any script the
    configuration builds) escapes the checks of `virtualisation.oci-containers`, yet it is
    the same container: with `--privileged` it gets every capability and every host device,
    and with the runtime's socket mounted (`-v /var/run/docker.sock:…`) it can start such a
    container itself. Either way root in the container is root on the host.
    """,
    remediation="""
    Declare the container with `virtualisation.oci-containers.containers.<name>` and grant
    only what it needs (one `--device`, one `--cap-add`); give tools that need the Docker API
    a filtering proxy's socket instead of the daemon's:
    ```nix
    virtualisation.oci-containers.containers.runner = {
      image = "ghcr.io/example/runner:2.317.0";
      extraOptions = [ "--device=/dev/kvm" ];
    };
    ```
    """,
    caveat="""
    CI runners that build images need some way to reach a container engine: a rootless
    engine per runner, or a socket proxy that allows only the calls the builds make, keeps
    the host out of the jobs' reach.
    """,
    references=(
        "https://docs.docker.com/reference/cli/docker/container/run/#privileged",
        "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
    ),
    bad="""
    { pkgs, ... }:
    {
      environment.systemPackages = [
        (pkgs.writeShellScriptBin "runner" ''
          ${pkgs.docker}/bin/docker run --rm --privileged \\
            -v /var/run/docker.sock:/var/run/docker.sock \\
            ghcr.io/example/runner:2.317.0
        '')
      ];
    }
    """,
    good="""
    { pkgs, ... }:
    {
      environment.systemPackages = [
        (pkgs.writeShellScriptBin "runner" ''
          ${pkgs.docker}/bin/docker run --rm --device=/dev/kvm ghcr.io/example/runner:2.317.0
        '')
      ];
    }
    """,
)
def script_container_privileged(ctx: FileContext) -> Iterator[Hit]:
    """Flags, in every string of a file, a command line that runs `docker run`, `podman
    run` or `… container run` (the runtime by name or by store path, at the start of a line
    or after `;`, `&&`, `|`, `exec`, `sudo`) with `--privileged` (not `=false`), or with a
    `-v`/`--volume`/`--mount` of the Docker, Podman or containerd socket. Shell comments are
    skipped; what follows the image name is the container's own command and is not read."""
    src = ctx.src
    for runtime, args in container_runs(src):
        for flag, value, word in _flags(args):
            span = src.span_of(word.start, word.start + len(word.text.encode()))
            shown = word.text if "=" in word.text else f"{flag} {value}"
            if flag == "--privileged" and (value or "true").lower() not in ("false", "0"):
                yield Hit(
                    span,
                    f"a script runs a container privileged ({runtime} run --privileged): it "
                    "gets every capability and every host device, so root in it is root on "
                    "the host; drop --privileged and grant only what the container needs "
                    "(--device, --cap-add), or declare it in virtualisation.oci-containers",
                )
            elif value is not None and _socket_mount(flag, value) is not None:
                socket = _socket_mount(flag, value)
                yield Hit(
                    span,
                    f"a script mounts the container runtime's socket {socket} into a "
                    f"container ({runtime} run {shown}): whoever controls the "
                    "container can start a privileged one with the host's root file "
                    "system, so it is root on the host; mount a filtering proxy's socket "
                    "instead",
                    severity=Severity.CRITICAL,
                )


def _socket_mount(flag: str, value: str) -> str | None:
    if flag in _VOLUME_FLAGS:
        source = value.split(":", 1)[0]
    elif flag == "--mount":
        fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
        source = fields.get("source") or fields.get("src") or ""
    else:
        return None
    return source if source.startswith("/") and is_runtime_socket(source) else None


def _has_socket_chmod(data: bytes) -> bool:
    return b"chmod" in data and b".sock" in data


def world_writable(mode: str) -> bool:
    """Whether a ``chmod`` mode lets every user write: octal with the others' write bit
    (``666``, ``0777``), or a symbolic clause giving ``w`` to ``o`` or ``a``."""
    if mode.isdigit():
        octal = len(mode) >= 3 and set(mode) <= set("01234567")
        return octal and int(mode[-1]) & 2 != 0
    for clause in mode.split(","):
        match = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if (
            match
            and ("o" in match.group(1) or "a" in match.group(1))
            and match.group(2) in "+="
            and "w" in match.group(3)
        ):
            return True
    return False


def socket_chmods(src: SourceFile) -> Iterator[tuple[str, Word, Word]]:
    """(socket, mode word, socket word) for each ``chmod`` in a script that makes a
    container runtime's socket writable by every user."""
    for command in script_commands(src):
        if command[0].text.rsplit("/", 1)[-1] != "chmod":
            continue
        args = [w for w in command[1:] if not w.text.startswith("-")]
        if len(args) < 2 or not world_writable(args[0].text.strip("'\"")):
            continue
        for word in args[1:]:
            path = word.text.strip("'\"")
            if path.startswith("/") and is_runtime_socket(path):
                yield path, args[0], word


@file_rule(
    "NIX125",
    "runtime-socket-world-writable",
    prefilter=_has_socket_chmod,
    category="containers",
    severity=Severity.CRITICAL,
    cwe=732,
    summary="A script makes the container runtime's socket writable by every user",
    rationale="""
    Whoever can write to the Docker (or Podman, containerd) socket can start a privileged
    container with the host's root file system mounted: the socket is root. NixOS gives it to
    root and the `docker` group only; a `chmod 666` in a service's script gives it to every
    local user and every compromised service, and the next daemon restart hides that it
    ever happened.
    """,
    remediation="""
    Leave the socket's mode alone and add the users who need it to the group (which is
    root-equivalent too, so keep it small), or give them a rootless engine:
    ```nix
    users.users.runner.extraGroups = [ "docker" ];
    ```
    """,
    caveat="""
    A service that relied on the open socket fails with "permission denied" until its user
    is in the group or it talks to a rootless engine.
    """,
    references=(
        "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
        "https://docs.docker.com/engine/install/linux-postinstall/",
    ),
    bad="""
    {
      systemd.services.runner.preStart = ''
        chmod 666 /var/run/docker.sock
      '';
    }
    """,
    good="""
    {
      users.users.runner.extraGroups = [ "docker" ];
    }
    """,
)
def runtime_socket_world_writable(ctx: FileContext) -> Iterator[Hit]:
    """Flags, in every string of a file, a `chmod` whose mode gives every user write access
    (`666`, `0777`, `o+w`, `a+rw`…) to the Docker, Podman or containerd socket."""
    src = ctx.src
    for socket, mode, word in socket_chmods(src):
        start, end = mode.start, word.start + len(word.text.encode())
        yield Hit(
            src.span_of(start, end),
            f"a script makes the container runtime's socket {socket} writable by every user "
            f"(chmod {mode.text}): any local user or compromised service can start a "
            "privileged container with the host's root file system, so it is root; add the "
            "users who need the socket to its group instead",
        )
