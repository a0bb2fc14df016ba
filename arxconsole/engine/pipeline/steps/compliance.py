"""Step 6: compliance.  Security scan of every SVG (the symbol rules' own security
checks, not a second implementation), budgets, naming, secrets in the system's files
(real patterns), and the quality gates: the step fails when a required gate fails."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ...findings import Finding, Severity, has_blocking
from .. import secrets
from ..symbol_validation import BUDGET_RULES, NAMING_RULES, SECURITY_PREFIXES, validate_system_symbols
from ..view import load_profiles, load_schema, load_symbols, schema_objects, schema_rel
from .base import Check, StepContext
from .define_schema import check_naming

STEP_ID = "compliance"
CHECKS = ("compliance.security", "compliance.budgets", "compliance.naming", "compliance.secrets", "quality-gates")
PROFILE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _secret_findings(rel: str, doc, symbol_id: str = "") -> list[Finding]:
    return [Finding(f"compliance.secrets.{h.kind}", Severity.ERROR, h.message(rel),
                    hint="remove the credential from the file (and rotate it: it has been shared)",
                    file=rel, location=h.location, symbol_id=symbol_id, data={"kind": h.kind})
            for h in secrets.scan_document(doc)]


def run(ctx: StepContext) -> list[Check]:
    system = ctx.system
    security, budgets, naming = Check("compliance.security"), Check("compliance.budgets"), Check("compliance.naming")
    secret_check, gates = Check("compliance.secrets"), Check("quality-gates")
    for f in validate_system_symbols(ctx):
        if f.rule.startswith(SECURITY_PREFIXES):
            security.findings.append(f)
        elif f.rule in BUDGET_RULES:
            budgets.findings.append(f)
        elif f.rule in NAMING_RULES:
            naming.findings.append(f)
    ctx.cancel.check()

    schema = load_schema(ctx.changes, system)
    if schema is not None and isinstance(schema.data, dict):
        naming.findings += check_naming(system, schema_rel(system), schema_objects(schema))
        secret_check.findings += _secret_findings(schema.rel, schema.data)
    for i, s in enumerate(load_symbols(ctx.changes, system)):
        if i % 100 == 0:
            ctx.cancel.check()
        if isinstance(s.data, dict):
            secret_check.findings += _secret_findings(s.rel, s.data, str(s.data.get("id") or ""))
    for p in load_profiles(ctx.changes, system):
        stem = PurePosixPath(p.rel).stem
        if not PROFILE_ID_RE.match(stem):
            naming.findings.append(Finding("compliance.naming.profile_file", Severity.ERROR,
                                           f"{p.rel}: profile file name {stem!r} is not lower_snake_case",
                                           hint="rename the file (and its id) to lower_snake_case", file=p.rel))
        if p.data is not None:
            secret_check.findings += _secret_findings(p.rel, p.data)
    ctx.log("info", f"security {len(security.findings)}, budgets {len(budgets.findings)}, naming "
            f"{len(naming.findings)}, secrets {len(secret_check.findings)} finding(s)")

    own = [security, budgets, naming, secret_check]
    ctx.measures.compliance_passed = not any(has_blocking(c.findings) for c in own)
    for d in ctx.evaluate_gates():
        if d.passed is False:
            gates.findings.append(Finding(
                f"gate.{d.gate}.failed", Severity.ERROR if d.required else Severity.WARNING,
                f"quality gate {d.gate} failed{'' if d.required else ' (not required)'}: {d.message}",
                hint=f"fix the cause, or review the gate: arxconsole gates set {d.gate} VALUE",
                data=d.to_dict()))
    return own + [gates]
