"""The Nix grammar nixlint parses with, and the measurements behind the choice (see
``README.md`` here; installed as ``nixlint.grammars``). The grammar itself is loaded in
:func:`nixlint.parse.language`."""
