"""8xx: supply chain, as a host is configured — which packages nixpkgs may build despite
known vulnerabilities, and what the Nix daemon accepts from binary caches and flakes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from nixlint import schema
from nixlint.evaluate.values import Lambda, PartialString
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, confidence_for, known_text, render, rule, when
from nixlint.rules.fetchers import plain_url
from nixlint.span import Span

NIX_CONF_REFS = (
    "https://nix.dev/manual/nix/stable/command-ref/conf-file.html",
    "https://search.nixos.org/options?query=nix.settings",
)


@dataclass(slots=True)
class Setting:
    """One value a host gives a nix.conf setting: in ``nix.settings`` or as a line of
    ``nix.extraOptions``."""

    span: Span
    value: object  # a Nix value from nix.settings, or the text after "=" in extraOptions
    option: str
    conditional: bool
    legacy: str = ""  # the renamed option's old name, as written

    def renamed(self, lead: str = " (") -> str:
        """`` (set as the renamed option nix.binaryCaches)`` when it was."""
        close = ")" if lead.endswith("(") else ""
        return f"{lead}set as the renamed option {self.legacy}{close}" if self.legacy else ""

    @property
    def words(self) -> list[str]:
        """The value as nix.conf reads it: space-separated words."""
        if isinstance(self.value, str):
            return self.value.split()
        return []


def nix_conf(ctx: HostContext, *keys: str) -> Iterator[Setting]:
    """Every value of the nix.conf settings ``keys`` (each also as ``extra-<key>``): from
    ``nix.settings`` (list elements one by one) and from ``key = …`` lines of
    ``nix.extraOptions``."""
    names = [k for key in keys for k in (key, f"extra-{key}")]
    for name in names:
        option = f"nix.settings.{name}"
        for it in ctx.items(option):
            written = it.definition.written
            legacy = schema.join(written) if written else ""
            value = it.value
            text = known_text(value)
            yield Setting(
                it.span,
                text if text is not None and not isinstance(value, PartialString) else value,
                option,
                it.conditional,
                legacy,
            )
    pattern = re.compile(
        rf"(?m)^[ \t]*({'|'.join(map(re.escape, names))})[ \t]*=[ \t]*([^\n#]*?)[ \t]*(?:#[^\n]*)?$"
    )
    for it in ctx.candidate_values("nix.extraOptions"):
        text = known_text(it.value)
        if not text:
            continue
        partial = isinstance(it.value, PartialString)
        for match in pattern.finditer(text):
            yield Setting(
                it.span_of(re.compile(re.escape(match.group(0).strip()))),
                match.group(2),
                "nix.extraOptions",
                it.conditional or partial,
            )


def _false(value: object) -> bool:
    return value is False or value == "false"


def _true(value: object) -> bool:
    return value is True or value == "true"


def signatures_off(ctx: HostContext) -> bool:
    """True when the host turns off signature checking of substituted paths."""
    return any(_false(s.value) and not s.conditional for s in nix_conf(ctx, "require-sigs"))


@rule(
    "NIX801",
    "insecure-package-permitted",
    category="supply-chain",
    severity=Severity.MEDIUM,
    cwe=1104,
    summary="nixpkgs is allowed to build packages marked insecure",
    rationale="""
    nixpkgs marks a package insecure when it has known, unfixed vulnerabilities (an
    end-of-life OpenSSL, an abandoned crypto library, an unmaintained Electron), and refuses
    to evaluate it. `permittedInsecurePackages` and `allowInsecurePredicate` lift that
    refusal: the vulnerable code is installed, and the exception tends to outlive the reason
    it was added.
    """,
    remediation="""
    Remove the package, or replace whatever pulls it in; if it must stay, permit the exact
    version only, and note why:
    ```nix
    nixpkgs.config.permittedInsecurePackages = [ ];
    ```
    """,
    caveat="""
    Removing the exception makes evaluation fail until the package (or what depends on it)
    is replaced: `nix why-depends` shows which package needs it.
    """,
    references=(
        "https://nixos.org/manual/nixpkgs/stable/#sec-allow-insecure",
        "https://search.nixos.org/options?query=nixpkgs.config",
    ),
    bad="""
    {
      nixpkgs.config.permittedInsecurePackages = [ "openssl-1.1.1w" ];
    }
    """,
    good="""
    {
      nixpkgs.config.allowUnfree = true;
    }
    """,
)
def insecure_package_permitted(ctx: HostContext) -> Iterator[Hit]:
    """Flags each entry of `nixpkgs.config.permittedInsecurePackages`, and any
    `nixpkgs.config.allowInsecurePredicate` (high when it is a function that returns `true`
    for every package)."""
    permitted = schema.split("nixpkgs.config.permittedInsecurePackages")
    for it in ctx.items(permitted):
        if it.definition.path != permitted:
            continue  # an enclosing value nixlint cannot read, which only may set it
        text = known_text(it.value)
        shown = render(it.value) if text is not None else "a package nixlint cannot name"
        yield Hit(
            it.span,
            f"nixpkgs permits the insecure package {shown}{when(it.conditional)}: it has "
            "known, unfixed vulnerabilities and nixpkgs refuses it by default; remove it "
            "or replace what needs it",
            "nixpkgs.config.permittedInsecurePackages",
            confidence=confidence_for(Confidence.HIGH, it.conditional),
        )
    predicate = schema.split("nixpkgs.config.allowInsecurePredicate")
    for it in ctx.candidate_values(predicate):
        value = it.value
        if it.definition.path != predicate or value is None:
            continue
        everything = isinstance(value, Lambda) and _returns_true(value)
        yield Hit(
            it.span,
            (
                "nixpkgs.config.allowInsecurePredicate permits every insecure package"
                if everything
                else "nixpkgs.config.allowInsecurePredicate permits insecure packages by a rule"
            )
            + f"{when(it.conditional)}: packages with known, unfixed vulnerabilities are "
            "built without naming them; list the exact versions in permittedInsecurePackages "
            "instead",
            "nixpkgs.config.allowInsecurePredicate",
            severity=Severity.HIGH if everything else None,
            confidence=confidence_for(Confidence.HIGH, it.conditional),
        )


def _returns_true(fn: Lambda) -> bool:
    body = fn.node.child_by_field_name("body")
    return body is not None and fn.src.text(body).strip() == "true"


@rule(
    "NIX802",
    "nix-signatures-not-required",
    category="supply-chain",
    severity=Severity.HIGH,
    cwe=347,
    summary="The Nix daemon accepts store paths without a trusted signature",
    rationale="""
    With `require-sigs = false`, the daemon imports whatever a substituter serves — or a
    user copies in with `nix copy` — without checking that a trusted key signed it. Anyone
    who can answer for a binary cache (its operator, a network attacker on an HTTP cache, a
    user who adds one) can then replace any package the system installs, which is root on
    the host.
    """,
    remediation="""
    Keep signatures required and trust the keys of the caches you use:
    ```nix
    nix.settings.require-sigs = true;
    nix.settings.trusted-public-keys = [ "cache.example.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=" ];
    ```
    """,
    caveat="""
    Paths built on another machine and copied in (`nix copy`, deploy tools) must then be
    signed (`nix store sign`, `secret-key-files`), or copying them fails.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-require-sigs",
        "https://search.nixos.org/options?query=nix.settings.require-sigs",
    ),
    bad="""
    {
      nix.settings.require-sigs = false;
    }
    """,
    good="""
    {
      nix.settings.require-sigs = true;
    }
    """,
)
def nix_signatures_not_required(ctx: HostContext) -> Iterator[Hit]:
    """Flags `nix.settings.require-sigs = false` (also as the legacy
    `nix.requireSignedBinaryCaches`) and `require-sigs = false` in `nix.extraOptions`."""
    for setting in nix_conf(ctx, "require-sigs"):
        if setting.option.endswith("extra-require-sigs") or not _false(setting.value):
            continue
        yield Hit(
            setting.span,
            f"the Nix daemon accepts unsigned store paths (require-sigs = false"
            f"{setting.renamed(', ')})"
            f"{when(setting.conditional)}: whoever answers for a binary cache, or copies paths "
            "in, can replace any package the system installs; keep require-sigs = true and "
            "trust the caches' keys in trusted-public-keys",
            setting.option,
            confidence=confidence_for(Confidence.HIGH, setting.conditional),
        )


def _substituter_urls(setting: Setting) -> Iterator[str]:
    for word in setting.words:
        if plain_url(word) and word.lower().startswith("http://"):
            yield word


@rule(
    "NIX803",
    "substituter-plain-http",
    category="supply-chain",
    severity=Severity.LOW,
    cwe=319,
    summary="A binary cache is used over plain HTTP",
    rationale="""
    Substitutes are checked against trusted signatures, so an HTTP cache cannot slip in a
    modified package while `require-sigs` is on — but every path the host downloads is
    visible on the network, and the cache can be withheld or stalled. With `require-sigs`
    off, anyone on the network path can serve their own packages to the host.
    """,
    remediation="""
    Use the cache's `https://` URL:
    ```nix
    nix.settings.substituters = [ "https://cache.example.org" ];
    ```
    """,
    caveat="""
    A cache on the local network may only speak HTTP (`nix-serve` without a proxy): put a
    TLS proxy in front of it, or reach it over SSH (`ssh-ng://host`).
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-substituters",
        "https://search.nixos.org/options?query=nix.settings.substituters",
    ),
    bad="""
    {
      nix.settings.substituters = [ "http://cache.example.org" ];
    }
    """,
    good="""
    {
      nix.settings.substituters = [ "https://cache.example.org" ];
    }
    """,
)
def substituter_plain_http(ctx: HostContext) -> Iterator[Hit]:
    """Flags `http://` URLs (loopback aside) in `nix.settings.substituters` and
    `extra-substituters` (also the legacy `nix.binaryCaches`, and `substituters =` lines in
    `nix.extraOptions`). High when the host also sets `require-sigs = false`."""
    unsigned = signatures_off(ctx)
    for setting in nix_conf(ctx, "substituters"):
        for url in _substituter_urls(setting):
            why = (
                "with require-sigs = false anyone on the network path can serve the host "
                "their own packages"
                if unsigned
                else "signatures still check the packages, but every download is visible and "
                "can be withheld"
            )
            yield Hit(
                setting.span,
                f"binary cache {url} is used over plain HTTP{setting.renamed()}"
                f"{when(setting.conditional)}: {why}; use its https:// URL",
                setting.option,
                severity=Severity.HIGH if unsigned else None,
                confidence=confidence_for(Confidence.HIGH, setting.conditional),
            )


_WORLD_WRITABLE = re.compile(r"^(?:file://)?/(?:tmp|var/tmp|dev/shm)(?:/|$)")


@rule(
    "NIX804",
    "trusted-substituter-insecure",
    category="supply-chain",
    severity=Severity.MEDIUM,
    cwe=494,
    summary="Any user may enable a binary cache that is not served over HTTPS",
    rationale="""
    `trusted-substituters` lists caches that unprivileged users may turn on for their own
    builds (`--option extra-substituters`). A cache reached over plain HTTP, or a local
    store in a world-writable directory, can be answered or filled by someone other than
    its operator; with `require-sigs` off, that is a way for any user to put their own
    packages into the store.
    """,
    remediation="""
    List only HTTPS caches (and trust their keys):
    ```nix
    nix.settings.trusted-substituters = [ "https://cache.example.org" ];
    ```
    """,
    caveat="""
    Users who enabled the cache on the command line get an error until they use the new
    URL; a cache that only speaks HTTP needs a TLS proxy first.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-trusted-substituters",
        "https://search.nixos.org/options?query=nix.settings.trusted-substituters",
    ),
    bad="""
    {
      nix.settings.trusted-substituters = [ "http://cache.example.org" ];
    }
    """,
    good="""
    {
      nix.settings.trusted-substituters = [ "https://cache.example.org" ];
    }
    """,
)
def trusted_substituter_insecure(ctx: HostContext) -> Iterator[Hit]:
    """Flags entries of `nix.settings.trusted-substituters` (also the legacy
    `nix.trustedBinaryCaches`, and `trusted-substituters =` lines in `nix.extraOptions`)
    that are `http://` URLs (loopback aside) or local stores under `/tmp`, `/var/tmp` or
    `/dev/shm`. High when the host also sets `require-sigs = false`."""
    unsigned = signatures_off(ctx)
    for setting in nix_conf(ctx, "trusted-substituters"):
        for word in setting.words:
            if plain_url(word) and word.lower().startswith("http://"):
                what = "over plain HTTP"
            elif _WORLD_WRITABLE.match(word):
                what = "from a world-writable directory"
            else:
                continue
            tail = (
                ", and with require-sigs = false any user can install their own packages through it"
                if unsigned
                else ""
            )
            yield Hit(
                setting.span,
                f"any user may enable the binary cache {word}, served {what}{setting.renamed()}"
                f"{when(setting.conditional)}: someone other than its operator can answer for "
                f"it{tail}; list only https:// caches",
                setting.option,
                severity=Severity.HIGH if unsigned else None,
                confidence=confidence_for(Confidence.HIGH, setting.conditional),
            )


@rule(
    "NIX805",
    "accept-flake-config",
    category="supply-chain",
    severity=Severity.MEDIUM,
    cwe=15,
    summary="Nix applies the nixConfig of any flake it evaluates without asking",
    rationale="""
    A flake can carry `nixConfig` settings — extra binary caches and their keys, build
    hooks, sandbox settings. Normally Nix asks before applying them; with
    `accept-flake-config = true` it applies them silently. Building someone else's flake as
    root (`nixos-rebuild --flake`, `sudo nix run`) then lets that flake choose where the
    system's packages come from.
    """,
    remediation="""
    Leave it off and put the caches you trust in the host's configuration:
    ```nix
    nix.settings.accept-flake-config = false;
    nix.settings.extra-substituters = [ "https://nix-community.cachix.org" ];
    nix.settings.extra-trusted-public-keys = [
      "nix-community.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="
    ];
    ```
    """,
    caveat="""
    Builds that relied on a flake's caches fall back to building from source (slow) until
    those caches are configured on the host; interactive users are asked again.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-accept-flake-config",
        "https://nix.dev/manual/nix/stable/command-ref/new-cli/nix3-flake#flake-format",
    ),
    bad="""
    {
      nix.settings.accept-flake-config = true;
    }
    """,
    good="""
    {
      nix.settings.accept-flake-config = false;
    }
    """,
)
def accept_flake_config(ctx: HostContext) -> Iterator[Hit]:
    """Flags `nix.settings.accept-flake-config = true` and `accept-flake-config = true` in
    `nix.extraOptions`."""
    for setting in nix_conf(ctx, "accept-flake-config"):
        if setting.option.endswith("extra-accept-flake-config") or not _true(setting.value):
            continue
        yield Hit(
            setting.span,
            f"Nix applies every flake's nixConfig without asking (accept-flake-config = true)"
            f"{when(setting.conditional)}: a flake built as root can add its own binary caches "
            "and keys, and so choose what the system installs; leave it off and configure "
            "trusted caches on the host",
            setting.option,
            confidence=confidence_for(Confidence.HIGH, setting.conditional),
        )
