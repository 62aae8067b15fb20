"""The language server: live diagnostics, quick fixes, hover and navigation."""
