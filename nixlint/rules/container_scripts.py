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


def container_runs(src: SourceFile) -> Iterator[tuple[str, list[Word]]]:
    """(runtime, arguments after ``run``) for each ``docker run`` / ``podman run`` (or
    ``container run``) command that starts a line or follows a shell separator."""
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
                if index >= len(command):
                    continue
                runtime = _runtime(command[index].text)
                rest = [w.text for w in command[index + 1 : index + 3]]
                if runtime is None or not rest:
                    continue
                if rest[0] == "run":
                    yield runtime, command[index + 2 :]
                elif rest[:2] == ["container", "run"]:
                    yield runtime, command[index + 3 :]


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
