"""0xx: problems with the input itself and with nixlint's own work."""

from __future__ import annotations

from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Rule, register

SYNTAX_ERROR = register(
    Rule(
        "NIX001",
        "syntax-error",
        "syntax",
        Severity.HIGH,
        Confidence.HIGH,
        "The file is not valid Nix",
        "Reports text the Nix grammar cannot parse (an ERROR or MISSING node in the syntax tree).",
        rationale="""
        Nix refuses the whole file, so the configuration does not build; and nixlint can only
        analyse the parts of the tree around the error, so findings may be missing.
        """,
        remediation="""
        Fix the syntax; `nix-instantiate --parse FILE` shows where Nix stops:
        ```nix
        { networking.hostName = "web"; }
        ```
        """,
        references=("https://nix.dev/manual/nix/stable/language/",),
        bad="""
        { networking.hostName = "web" }
        """,
        good="""
        { networking.hostName = "web"; }
        """,
    )
)

INVALID_ENCODING = register(
    Rule(
        "NIX002",
        "invalid-encoding",
        "syntax",
        Severity.MEDIUM,
        Confidence.HIGH,
        "The file is not valid UTF-8",
        "Reports bytes that are not valid UTF-8.",
        rationale="""
        Strings with invalid bytes end up in generated configuration files and unit files,
        where other programs may read them differently; editors may corrupt them.
        """,
        remediation="Save the file as UTF-8 (`iconv -f latin1 -t utf-8`).",
    )
)

UNREADABLE_FILE = register(
    Rule(
        "NIX003",
        "unreadable-file",
        "syntax",
        Severity.LOW,
        Confidence.HIGH,
        "The file is binary, too large or unreadable and was not analysed",
        """
        Reports a `.nix` file nixlint could not analyse at all: a binary file, a file larger
        than the size limit, or a file that cannot be read.
        """,
        rationale="Nothing in it was checked.",
        remediation="Make the file readable, or exclude it from the scan if it is not Nix.",
    )
)

IMPORT_NOT_FOUND = register(
    Rule(
        "NIX004",
        "import-not-found",
        "syntax",
        Severity.MEDIUM,
        Confidence.HIGH,
        "A module imports a file that does not exist",
        """
        Reports an entry of `imports` (or an `import` of a path) that names a file which does
        not exist in the scanned tree.
        """,
        rationale="""
        The configuration does not build; and whatever hardening that file was meant to add is
        not analysed.
        """,
        remediation="""
        Fix the path, or add the missing file to the repository:
        ```nix
        { imports = [ ./hardware-configuration.nix ]; }
        ```
        """,
        references=("https://nixos.org/manual/nixos/stable/#sec-modularity",),
        bad="""
        { imports = [ ./hardening.nix ]; }
        """,
        good="""
        { imports = [ ]; }
        """,
    )
)

INTERNAL_ERROR = register(
    Rule(
        "NIX005",
        "internal-error",
        "syntax",
        Severity.HIGH,
        Confidence.HIGH,
        "nixlint failed while analysing this file",
        """
        Reports that nixlint itself failed on a file or host. The rest of the scan goes on,
        and the exit code is 2.
        """,
        rationale="The file was not fully analysed.",
        remediation="Please report it, with the file that caused it.",
    )
)

HOSTS_UNRESOLVED = register(
    Rule(
        "NIX010",
        "flake-hosts-unresolved",
        "syntax",
        Severity.INFO,
        Confidence.HIGH,
        "Some hosts of a flake could not be determined statically",
        """
        Notes the parts of a flake's `nixosConfigurations` (or `darwinConfigurations`) that
        nixlint could not determine without evaluating the flake: hosts generated from a
        directory listing, built by a framework nixlint does not model, or computed from
        inputs.
        """,
        rationale="""
        It may be fine; but the modules of those hosts are analysed only as standalone
        modules, without the host they belong to, so findings that depend on the whole host
        (overrides in other files, defaults) may be missing.
        """,
        remediation="""
        Listing hosts explicitly lets nixlint analyse each one:
        ```nix
        nixosConfigurations.web = nixpkgs.lib.nixosSystem { modules = [ ./hosts/web ]; };
        ```
        """,
        references=("https://nix.dev/manual/nix/stable/command-ref/new-cli/nix3-flake",),
    )
)
