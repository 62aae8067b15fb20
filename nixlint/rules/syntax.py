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
        """\
        ## What it does
        Reports text the Nix grammar cannot parse (an ERROR or MISSING node in the syntax tree).

        ## Why is this bad?
        Nix refuses the whole file, so the configuration does not build; and nixlint can only
        analyse the parts of the tree around the error, so findings may be missing.

        ## Example
        ```nix
        { services.openssh.enable = true }
        ```

        ## Use instead
        ```nix
        { services.openssh.enable = true; }
        ```
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
        """\
        ## What it does
        Reports bytes that are not valid UTF-8.

        ## Why is this bad?
        Strings with invalid bytes end up in generated configuration files and unit files,
        where other programs may read them differently; editors may corrupt them.

        ## Use instead
        Save the file as UTF-8.
        """,
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
        """\
        ## What it does
        Reports a `.nix` file nixlint could not analyse at all: a binary file, a file larger
        than the size limit, or a file that cannot be read.

        ## Why is this bad?
        Nothing in it was checked.
        """,
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
        """\
        ## What it does
        Reports an entry of `imports` (or an `import` of a path) that names a file which does
        not exist in the scanned tree.

        ## Why is this bad?
        The configuration does not build; and whatever hardening that file was meant to add is
        not analysed.

        ## Example
        ```nix
        { imports = [ ./hardening.nix ]; }  # no such file
        ```
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
        """\
        ## What it does
        Reports that nixlint itself failed on a file or host. The rest of the scan goes on,
        and the exit code is 2.

        ## Why is this bad?
        The file was not fully analysed. Please report it with the file that caused it.
        """,
    )
)
