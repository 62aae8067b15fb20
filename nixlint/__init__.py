"""nixlint: static security analysis for Nix and NixOS configurations."""

__version__ = "0.1.0"
