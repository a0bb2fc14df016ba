"""Check every behavior profile of one system: what the ``implement-behavior`` step runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..progress import CancelToken, ProgressFn, no_progress
from ..workspace import Workspace
from .checks import check_profile_report
from .loader import load_profile
from .model import make_finding


@dataclass
class SystemReport:
    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=lambda: {
        "profiles_checked": 0, "scenarios_run": 0, "scenarios_passed": 0, "max_eval_ms": 0.0})
    profiles: list[dict[str, Any]] = field(default_factory=list)   # per file: id, file, results

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.findings], "stats": dict(self.stats),
                "profiles": self.profiles}


def check_system_profiles(workspace: Workspace | str | os.PathLike, system: str,
                          cancel: CancelToken | None = None,
                          progress: ProgressFn | None = None) -> SystemReport:
    """Load, check and simulate every ``behavior/<system>/*.yaml``; cancellable between files."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    progress = progress or no_progress
    report = SystemReport()
    files = ws.profile_files(system)
    if not files:
        report.findings.append(make_finding(
            "behavior.system.no_profiles", "warning", f"behavior/{system}", "",
            f"system '{system}' has no behavior profiles", "add behavior/<system>/<profile_id>.yaml files"))
    seen_ids: dict[str, str] = {}
    for i, path in enumerate(files):
        if cancel is not None:
            cancel.check()
        rel = ws.relative(path)
        progress(i, len(files), f"checking {rel}")
        profile, findings = load_profile(path, display=rel)
        entry: dict[str, Any] = {"file": rel, "id": profile.id if profile else None, "scenarios": []}
        if profile is not None:
            if profile.id in seen_ids:
                findings.append(profile.finding("behavior.id.duplicate", "error", "id",
                                                f"id '{profile.id}' is also used by {seen_ids[profile.id]}"))
            seen_ids.setdefault(profile.id, rel)
            if any(f.blocking for f in findings):
                # Structure errors: still report semantics, but do not run scenarios on a
                # profile that was only partly read.
                pr = check_profile_report(profile, run=False, system=system)
            else:
                pr = check_profile_report(profile, run=True, system=system)
            findings += pr.findings
            entry["scenarios"] = [r.to_dict() for r in pr.results]
            entry["eval_ms"] = pr.eval_ms
            report.stats["scenarios_run"] += len(pr.results)
            report.stats["scenarios_passed"] += pr.scenarios_passed
            if pr.eval_ms is not None:
                report.stats["max_eval_ms"] = max(report.stats["max_eval_ms"], round(pr.eval_ms, 4))
        report.stats["profiles_checked"] += 1
        report.findings += findings
        report.profiles.append(entry)
    progress(len(files), len(files), "behavior profiles checked")
    return report
