"""Secrets: what counts as a secret, and messages that never show one."""

from __future__ import annotations

import pytest

from nixlint.analyze import check
from nixlint.rules.secretwords import names_secret, secret_file, secret_literal
from tests.conftest import FIXTURES

SECRETS = (
    "correct horse battery staple",
    "grafana-admin-pw",
    "0f3c9d2e8b7a41c6",
    "hunter2hunter2",
    "SuperSecretMailPw",
    "7d1e0c55aa91",
    "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
    "wJalrXUtnFEMI",
    "ghp_Example",
    "glpat-Example",
    "$y$j9T$",
)


def test_messages_never_show_a_secret() -> None:
    findings = [
        f for code in range(501, 510) for f in check([str(FIXTURES / f"rules/NIX{code}")]).findings
    ]
    assert {f.rule for f in findings} == {f"NIX{code}" for code in range(501, 510)}
    for finding in findings:
        assert not any(secret in finding.message for secret in SECRETS), finding.message


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("adminPassword", True),
        ("DB_PASSWORD", True),
        ("rpc-password", True),
        ("secretKey", True),
        ("SECRET_KEY_BASE", True),
        ("apiKey", True),
        ("clientSecret", True),
        ("psk", True),
        ("passwordFile", False),
        ("authKeyFile", False),
        ("token_url", False),
        ("tokenEndpoint", False),
        ("PasswordAuthentication", False),
        ("password_encryption", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("publicKey", False),
        ("passCommand", False),
        ("credential_process", False),
        ("tokenScope", False),
        ("token_scopes", False),
    ],
)
def test_names_that_hold_a_secret(name: str, secret: bool) -> None:
    assert names_secret(name) is secret


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("hunter2-hunter2", True),
        ("/run/secrets/db", False),
        ("$__file{/run/secrets/x}", False),
        ("${DB_PASSWORD}", False),
        ("{env:CONTEXT7_API_KEY}", False),
        ("Bearer {file:/run/secrets/token}", False),
        ("@DB_PASSWORD@", False),
        ("!secret mqtt_password", False),
        ("ext:psk_home", False),
        ("true", False),
        ("https://auth.example.org/token", False),
        ("postgres://user:pw@db/app", True),
    ],
)
def test_literals_that_are_secrets(value: str, literal: bool) -> None:
    assert (secret_literal(value) is not None) is literal


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("./secrets/api-token", True),
        ("/keys/id_ed25519", True),
        ("./tls/example.org.key", True),
        ("./app.env", True),
        ("./secrets/api-token.age", False),
        ("./keys/id_ed25519.pub", False),
        ("./secrets.sops.yaml", False),
        ("./motd.txt", False),
        ("./keyboard-layout.xkb", False),
    ],
)
def test_file_names_of_secret_material(name: str, secret: bool) -> None:
    assert secret_file(name) is secret
