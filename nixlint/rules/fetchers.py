"""8xx: supply chain, as written in a file — fetches whose content nothing pins, downloads
over plain HTTP, and ``<nixpkgs>`` lookups where a flake evaluates. These are file rules:
they read each file's syntax, so package expressions, overlays and shells no host imports
are checked too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nixlint.findings import Confidence, Severity
from nixlint.rules.base import FileContext, Hit, file_rule
from nixlint.rules.syntax_tree import (
    Written,
    attrset,
    callee,
    find,
    in_fallback,
    in_formal_default,
    interpolated,
    string_text,
    unwrap,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.parse import SourceFile

#: Built-in fetchers that accept no hash: without one, what they fetch is not pinned.
#: Each maps to the attributes that pin it.
UNPINNED_FETCHERS = {
    "fetchTarball": ("sha256", "hash", "narHash"),
    "fetchurl": ("sha256", "hash", "sha512", "sha1", "md5", "outputHash"),
    "fetchGit": ("rev", "narHash"),
    "fetchMercurial": ("rev", "narHash"),
    "fetchTree": ("rev", "narHash"),
}
#: Every fixed-output fetcher's hash attributes (a content hash pins the download).
HASHES = ("hash", "sha256", "sha512", "sha1", "md5", "outputHash", "narHash")
_COMMIT = re.compile(r"\b[0-9a-f]{40}\b")
#: An interpolated name that says it is a commit or a version (``"…/${rev}.tar.gz"``).
_PIN_NAME = re.compile(r"(?i)rev|commit|version|sha|hash|tag")
_LOCAL = ("/", ".", "~", "file:", "path:", "git+file:")
_PLAIN = re.compile(r"^(?:http|git|ftp|hg\+http|git\+http|tarball\+http|file\+http)://", re.I)
_LOOPBACK = re.compile(r"^[a-z+]+://(?:[^/@]*@)?(?:localhost|127\.[0-9.]+|\[::1\])(?:[:/]|$)", re.I)

FETCH_REFS = (
    "https://nix.dev/manual/nix/stable/language/builtins.html#builtins-fetchTarball",
    "https://nix.dev/manual/nix/stable/language/builtins.html#builtins-fetchGit",
    "https://nix.dev/guides/recipes/dependency-management",
)


#: Calls of a function whose name (its last component) starts with ``fetch``.
_FETCH_CALLS = (
    '((apply_expression function: (_) @fn) @call (#match? @fn "(^|[.])fetch[A-Za-z0-9]*$"))'
)


@dataclass(slots=True)
class Fetch:
    """One call of a fetcher, as written."""

    call: Node
    shown: str  # the function as written: "builtins.fetchTarball"
    name: str  # its last component: "fetchTarball"
    builtin: bool  # a built-in (hash optional), not a nixpkgs fetcher
    urls: list[tuple[Node, str, bool]]  # (node, literal text, interpolated)
    #: True: a hash or a commit pins it; False: nothing does; None: nixlint cannot tell
    pinned: bool | None
    local: bool = False
    #: the attributes of a set argument (None for a URL argument)
    written: Written | None = None


def fetches(src: SourceFile) -> Iterator[Fetch]:
    """Every call of a function named ``fetch…`` whose argument nixlint can read."""
    root = src.root
    if root is None:
        return
    for call in find(root, _FETCH_CALLS, "call"):
        named = callee(src, call)
        if named is None or not named[1].startswith("fetch"):
            continue
        qualifier, name = named
        argument = unwrap(call.child_by_field_name("argument"))
        if argument is None:
            continue
        builtin = name in UNPINNED_FETCHERS and qualifier in ("", "builtins")
        shown = f"{qualifier}.{name}" if qualifier else name
        found = _read(src, argument, name, builtin)
        if found is not None:
            urls, pinned, local = found
            written = attrset(src, argument)
            yield Fetch(call, shown, name, builtin, urls, pinned, local, written)


def _read(
    src: SourceFile, argument: Node, name: str, builtin: bool
) -> tuple[list[tuple[Node, str, bool]], bool | None, bool] | None:
    """(URLs, pinned, local) of a fetcher's argument; None when it cannot be read."""
    if argument.type == "path_expression":
        return [], True, True
    text = string_text(src, argument)
    if text is not None:
        literal, more = text
        if not literal and more:
            return None  # "${src}": nothing known
        local = literal.startswith(_LOCAL)
        return [(argument, literal, more)], _pinned_string(name, literal, more), local
    written = attrset(src, argument)
    if written is None or written.dynamic:
        return None
    urls = _urls(src, written)
    local = any(text.startswith(_LOCAL) for _, text, _ in urls) or "path" in written.values
    pins = UNPINNED_FETCHERS.get(name, HASHES) if builtin else HASHES
    pinned: bool | None = written.has(*pins)
    if name == "fetchTree" and not pinned:
        kind = written.values.get("type")
        kind_text = string_text(src, kind) if kind is not None else None
        if kind_text is None or kind_text[1]:
            pinned = None
    return urls, pinned, local


def _pinned_string(name: str, literal: str, more: bool) -> bool | None:
    if name == "fetchTree":
        # a flake reference: "github:o/r/<commit>", "…?rev=…&narHash=…"
        return bool(_COMMIT.search(literal) or "narHash=" in literal or "rev=" in literal)
    return False


def _urls(src: SourceFile, written: Written) -> list[tuple[Node, str, bool]]:
    found: list[tuple[Node, str, bool]] = []
    for key in ("url", "urls"):
        node = unwrap(written.values.get(key))
        if node is None:
            continue
        elements = node.named_children if node.type == "list_expression" else [node]
        for element in elements:
            text = string_text(src, element)
            if text is not None:
                found.append((element, text[0], text[1]))
    return found


def _shown_url(text: str, more: bool) -> str:
    return text + ("…" if more else "")


def plain_url(text: str) -> bool:
    """A download that is neither encrypted nor authenticated (loopback aside)."""
    return bool(_PLAIN.match(text)) and not _LOOPBACK.match(text)


def _has_fetch(data: bytes) -> bool:
    return b"fetch" in data


@file_rule(
    "NIX806",
    "fetch-unpinned",
    prefilter=_has_fetch,
    category="supply-chain",
    severity=Severity.MEDIUM,
    cwe=494,
    summary="A fetch is not pinned by a hash or a commit",
    rationale="""
    `builtins.fetchTarball`, `fetchurl`, `fetchGit` and `fetchTree` accept no hash and then
    take whatever the URL serves when the configuration is evaluated: a branch that moved, a
    tag that was re-pointed, a compromised server or mirror. The result is built into the
    system and trusted like the rest of the configuration, and two machines building the
    same commit can get different systems. Over plain HTTP anyone on the path can substitute
    the download.
    """,
    remediation="""
    Pin the content: a hash for archives and files, a commit for Git (`nix-prefetch-url
    --unpack URL` prints the hash), or make the dependency a flake input, which the lock
    file pins:
    ```nix
    import (builtins.fetchTarball {
      url = "https://github.com/nix-community/home-manager/archive/3f2a1e9c5b0d7e4f6a8b9c0d1e2f3a4b5c6d7e8f.tar.gz";
      sha256 = "0q3lv288xlzxczh6lc5lcw0zj9qskvjw3pzsrgvdh8rl8ibyq75s";
    })
    ```
    """,
    caveat="""
    A pinned fetch no longer follows the branch: updates become explicit (bump the commit
    and the hash, or `nix flake update`). Check that the pinned commit is the one you meant
    to trust before writing down its hash.
    """,
    references=FETCH_REFS,
    bad="""
    {
      imports = [
        (import "${builtins.fetchTarball "https://github.com/nix-community/home-manager/archive/master.tar.gz"}/nixos")
      ];
    }
    """,
    good="""
    {
      imports = [
        (import "${builtins.fetchTarball {
          url = "https://github.com/nix-community/home-manager/archive/3f2a1e9c5b0d7e4f6a8b9c0d1e2f3a4b5c6d7e8f.tar.gz";
          sha256 = "0q3lv288xlzxczh6lc5lcw0zj9qskvjw3pzsrgvdh8rl8ibyq75s";
        }}/nixos")
      ];
    }
    """,
)
def fetch_unpinned(ctx: FileContext) -> Iterator[Hit]:
    """Flags calls of the built-in fetchers that take no hash — `builtins.fetchTarball`,
    `builtins.fetchurl`, `builtins.fetchGit`, `builtins.fetchTree`, `fetchMercurial`
    (qualified or not) — given a URL alone, or a set with neither a hash (`sha256`, `hash`,
    `narHash`) nor, for Git and Mercurial, a `rev`. Local sources (`./.`, `/path`,
    `file:`) are not reported, nor arguments nixlint cannot read (a variable, `a // b`).
    High when the URL is plain HTTP; low when the URL itself names a commit (a commit hash,
    or an interpolated `rev`, `version`, `tag`…)."""
    src = ctx.src
    for fetch in fetches(src):
        if not fetch.builtin or fetch.pinned is not False or fetch.local:
            continue
        url = fetch.urls[0] if fetch.urls else None
        shown = _shown_url(url[1], url[2]) if url else "its source"
        severity: Severity | None = None
        what = "a hash" if fetch.name in ("fetchTarball", "fetchurl") else "a rev (a commit)"
        fix = (
            "add sha256 (nix-prefetch-url --unpack URL prints it) or make it a flake input"
            if fetch.name in ("fetchTarball", "fetchurl")
            else 'add rev = "<commit>" (and narHash), or make it a flake input'
        )
        why = (
            "whatever the URL serves when the configuration is evaluated is built into the "
            "system — a moved branch, a re-pointed tag or a compromised server changes it"
        )
        if url and plain_url(url[1]):
            severity = Severity.HIGH
            why += ", and over plain HTTP anyone on the network path can substitute it"
        elif url and (
            _COMMIT.search(url[1])
            or any(_PIN_NAME.search(text) for text in interpolated(src, url[0]))
        ):
            severity = Severity.LOW
            why = (
                "the URL may name a fixed commit, but nothing checks that the download is "
                "what was reviewed"
            )
        yield Hit(
            src.span(fetch.call.child_by_field_name("function") or fetch.call),
            f"{fetch.shown} fetches {shown} without {what}: {why}; {fix}",
            severity=severity,
        )


@file_rule(
    "NIX807",
    "fetch-plain-http",
    prefilter=_has_fetch,
    category="supply-chain",
    severity=Severity.LOW,
    cwe=319,
    summary="A pinned download is fetched over plain HTTP or the Git protocol",
    rationale="""
    A hash (or a Git commit) still checks the content, so the download cannot be replaced
    silently; but the request and the response are visible to everyone on the network path,
    and they can withhold or stall it. A pin by `md5` or `sha1` can be forged by someone who
    controls the response.
    """,
    remediation="""
    Use the `https://` URL (almost every host serves one), or a `mirror://` URL of nixpkgs:
    ```nix
    src = fetchurl {
      url = "https://ftp.gnu.org/gnu/hello/hello-2.12.1.tar.gz";
      hash = "sha256-jZkUKv2SV28wsM18tCqNxoCZmLxdYH2Idh9RLibH2yA=";
    };
    ```
    """,
    caveat="""
    Some hosts serve different content over HTTPS, or only over HTTP: the hash tells you at
    once (the build fails with a hash mismatch); do not update the hash without finding out
    why it changed.
    """,
    references=(
        "https://nixos.org/manual/nixpkgs/stable/#chap-pkgs-fetchers",
        "https://nix.dev/manual/nix/stable/language/builtins.html#builtins-fetchurl",
    ),
    bad="""
    { pkgs, ... }:
    {
      environment.etc."hello.tar.gz".source = pkgs.fetchurl {
        url = "http://ftp.gnu.org/gnu/hello/hello-2.12.1.tar.gz";
        hash = "sha256-jZkUKv2SV28wsM18tCqNxoCZmLxdYH2Idh9RLibH2yA=";
      };
    }
    """,
    good="""
    { pkgs, ... }:
    {
      environment.etc."hello.tar.gz".source = pkgs.fetchurl {
        url = "https://ftp.gnu.org/gnu/hello/hello-2.12.1.tar.gz";
        hash = "sha256-jZkUKv2SV28wsM18tCqNxoCZmLxdYH2Idh9RLibH2yA=";
      };
    }
    """,
)
def fetch_plain_http(ctx: FileContext) -> Iterator[Hit]:
    """Flags `http://`, `ftp://` and `git://` URLs (loopback aside) given to a fetcher
    (`fetchurl`, `fetchzip`, `fetchpatch`, `fetchgit`, the built-ins…) whose download a
    hash or a commit pins. An unpinned one is reported by `fetch-unpinned`, as high."""
    src = ctx.src
    for fetch in fetches(src):
        if fetch.builtin and fetch.pinned is False:
            continue  # fetch-unpinned reports it
        for node, text, more in fetch.urls:
            if not plain_url(text):
                continue
            weak = ""
            written = fetch.written
            severity: Severity | None = None
            if (
                written is not None
                and written.has("md5", "sha1")
                and not written.has("hash", "sha256", "sha512", "outputHash")
            ):
                weak = ", and an md5 or sha1 pin can be forged by whoever controls the response"
                severity = Severity.MEDIUM
            scheme = text.split(":", 1)[0]
            yield Hit(
                src.span(node),
                f"{fetch.shown} downloads {_shown_url(text, more)} over {scheme}, which is not "
                "encrypted or authenticated: the pin still checks the content, but the download "
                f"can be watched and withheld{weak}; use an https:// URL",
                severity=severity,
            )


_LOOKUP = re.compile(rb"<[A-Za-z_][\w.+-]*(?:/[\w.+/-]*)?>")


def _has_lookup(data: bytes) -> bool:
    return _LOOKUP.search(data) is not None


@file_rule(
    "NIX808",
    "nix-path-lookup-in-flake",
    prefilter=_has_lookup,
    flakes_only=True,
    category="supply-chain",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=829,
    summary="A file a flake evaluates looks up <nixpkgs> (or another NIX_PATH entry)",
    rationale="""
    A flake pins its inputs in `flake.lock`; `<nixpkgs>` bypasses that and takes whatever
    the building machine's `NIX_PATH` or channel holds. Pure evaluation (the default for
    flakes) refuses the lookup, so it only works with `--impure` — and then the system is
    built from an unpinned, per-machine nixpkgs that no one reviewed.
    """,
    remediation="""
    Use the flake's input instead, passed to modules through `specialArgs` or taken from
    `pkgs`:
    ```nix
    {
      inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
      outputs = { self, nixpkgs }: {
        packages.x86_64-linux.hello = nixpkgs.legacyPackages.x86_64-linux.hello;
      };
    }
    ```
    """,
    caveat="""
    Hosts that relied on `--impure` get the locked nixpkgs instead of the machine's channel
    once the lookup is gone: check what `nix flake metadata` shows before switching.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-pure-eval",
        "https://nix.dev/manual/nix/stable/language/constructs/lookup-path.html",
    ),
    bad="""
    {
      inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
      outputs = { self, nixpkgs }: {
        packages.x86_64-linux.hello = (import <nixpkgs> { system = "x86_64-linux"; }).hello;
      };
    }
    """,
    good="""
    {
      inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
      outputs = { self, nixpkgs }: {
        packages.x86_64-linux.hello = nixpkgs.legacyPackages.x86_64-linux.hello;
      };
    }
    """,
)
def nix_path_lookup_in_flake(ctx: FileContext) -> Iterator[Hit]:
    """Flags lookup paths (`<nixpkgs>`, `<nixpkgs/nixos>`, `<home-manager/nixos>`…) in
    flake.nix and in the files it evaluates through literal paths (`import ./x.nix`,
    `imports`, `modules`; not a path interpolated into a string, which is copied, not
    evaluated). Not reported: the default of a function argument
    (`{ pkgs ? import <nixpkgs> { } }:`), which a flake that passes the argument never
    evaluates; a branch of `if` or the default of `or` (a fallback); Nix's own `<nix/…>`
    files. Confidence is medium: a file a flake reaches may still be used outside it."""
    src = ctx.src
    root = src.root
    if root is None:
        return
    for node in find(root, "(spath_expression) @lookup", "lookup"):
        text = src.text(node)
        if text.startswith("<nix/") or in_formal_default(node) or in_fallback(node):
            continue
        yield Hit(
            src.span(node),
            f"{text} is looked up in NIX_PATH in a file a flake evaluates: pure evaluation "
            "refuses it, and with --impure it is whatever the building machine has, not the "
            "locked input; use the flake's input (through specialArgs or pkgs) instead",
        )
