"""The functions nixlint models, one module per theme; :mod:`nixlint.evaluate.library`
imports them all and assembles ``builtins`` and ``lib``."""
