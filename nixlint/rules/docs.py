"""The rule catalogue as documents: ``docs/rules.md`` and ``nixlint explain``."""

from __future__ import annotations

from nixlint.findings import CATEGORIES
from nixlint.rules.base import Rule

HEADER = """\
# Rules

<!-- Generated from the rule registry by `nixlint rules --format markdown > docs/rules.md`.
     Do not edit by hand: the test suite fails when this file is stale. -->

Codes are permanent. Families: 0xx syntax and tool, 1xx containers, 2xx encryption,
3xx sandboxing, 4xx access, 5xx secrets, 6xx network, 7xx kernel, 8xx supply chain.
Severity is the rule's default; a finding may be more or less severe (it says so), and its
confidence is lower when it depends on something nixlint cannot decide statically.
"""


def heading(rule: Rule) -> str:
    cwe = f"  CWE-{rule.cwe}" if rule.cwe else ""
    return (
        f"{rule.code} {rule.name} ({rule.category}, {rule.severity.value}, "
        f"{rule.confidence.value} confidence){cwe}"
    )


def explain(rule: Rule) -> str:
    """The full documentation of one rule, as ``nixlint explain`` prints it."""
    return f"{heading(rule)}\n{rule.summary}\n\n{rule.description}\n"


def markdown(rules: list[Rule]) -> str:
    """Every rule, grouped by category, as one Markdown document."""
    out = [HEADER]
    counts = {c: sum(r.category == c for r in rules) for c in CATEGORIES}
    out.append(
        f"{len(rules)} rules: " + ", ".join(f"{n} {c}" for c, n in counts.items() if n) + ".\n"
    )
    out.append("| code | name | category | severity | summary |\n|---|---|---|---|---|")
    for r in rules:
        out.append(
            f"| [{r.code}](#{r.code.lower()}-{r.name}) | `{r.name}` | {r.category} | "
            f"{r.severity.value} | {r.summary} |"
        )
    out.append("")
    for category in CATEGORIES:
        members = [r for r in rules if r.category == category]
        if not members:
            continue
        out.append(f"## {category}\n")
        for r in members:
            cwe = (
                f" · [CWE-{r.cwe}](https://cwe.mitre.org/data/definitions/{r.cwe}.html)"
                if r.cwe
                else ""
            )
            out.append(f"### {r.code} {r.name}\n")
            out.append(f"*{r.severity.value} severity · {r.confidence.value} confidence{cwe}*\n")
            out.append(f"{r.summary}.\n")
            out.append(_demote(r.description) + "\n")
    return "\n".join(out).rstrip() + "\n"


def _demote(text: str) -> str:
    """``## Section`` → ``#### Section`` (sections sit under the rule's heading)."""
    lines = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            line = "##" + line
        lines.append(line)
    return "\n".join(lines)
