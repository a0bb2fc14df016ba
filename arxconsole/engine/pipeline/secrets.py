"""Secret detection for workspace content (compliance step): real patterns, not words.

Two kinds of evidence:
* text patterns anywhere in a string: cloud keys, private key blocks, credential
  assignments with a value (``password=...``, ``token: ...``), URLs with a user:password;
* a field *named* like a secret (password, token, api_key, secret...) holding a
  high-entropy value (random-looking, so likely a real credential).

Placeholders (``${VAR}``, ``<password>``, ``****``, ``changeme``) are not secrets.
Matches are reported redacted: a finding never repeats the secret it found.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator

PATTERNS: tuple[tuple[str, str, re.Pattern], ...] = (
    ("aws_access_key", "an AWS access key id",
     re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("private_key", "a private key block",
     re.compile(r"-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----")),
    ("github_token", "a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("slack_token", "a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    ("jwt", "a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("url_credentials", "a URL with an embedded user name and password",
     re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@\"'<>]+:([^\s/@\"'<>]+)@[^\s/\"'<>]+", re.IGNORECASE)),
    ("credential_assignment", "a credential assignment with a value",
     re.compile(r"(?i)\b(?:password|passwd|pwd|passphrase|secret|client_secret|api[_-]?key|access[_-]?key|"
                r"secret[_-]?key|auth[_-]?token|access[_-]?token|token)\s*[=:]\s*[\"']?([^\s\"'&;,<>]{4,})")),
)

SECRET_FIELD_RE = re.compile(r"(?i)(passw|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|"
                             r"private[_-]?key|credential|auth[_-]?(?:token|key))")
PASSWORD_FIELD_RE = re.compile(r"(?i)^(password|passwd|pwd|passphrase)$")
PLACEHOLDER_RE = re.compile(r"(?i)^(\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|<[^>]*>|\{\{[^}]*\}\}|\*+|x+|\.+|"
                            r"changeme|change_me|none|null|redacted|example|placeholder|todo|tbd|n/?a)$")
MIN_ENTROPY_LEN = 16
ENTROPY_BITS = 3.5


@dataclass(frozen=True)
class SecretHit:
    kind: str
    what: str
    location: str      # JSON path of the string that holds it
    preview: str       # redacted

    def message(self, file: str) -> str:
        return f"{file}: {self.what} at {self.location or 'top level'} ({self.preview})"


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def redact(value: str) -> str:
    return (value[:4] + "…" + f"[{len(value)} chars]") if len(value) > 4 else "…"


def is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER_RE.match(value.strip()))


def scan_text(text: str, location: str = "") -> list[SecretHit]:
    hits = []
    for kind, what, rx in PATTERNS:
        for m in rx.finditer(text):
            value = m.group(m.lastindex) if m.lastindex else m.group(0)
            if kind in ("credential_assignment", "url_credentials") and is_placeholder(value):
                continue
            hits.append(SecretHit(kind, what, location, redact(m.group(0))))
    return hits


def scan_field(name: str, value: str, location: str) -> list[SecretHit]:
    """A field named like a credential: any real password, or a random-looking value."""
    if not SECRET_FIELD_RE.search(name) or not value.strip() or is_placeholder(value):
        return []
    v = value.strip()
    if PASSWORD_FIELD_RE.match(name):
        return [SecretHit("password_field", "a password value", location, redact(v))]
    if len(v) >= MIN_ENTROPY_LEN and " " not in v and entropy(v) >= ENTROPY_BITS:
        return [SecretHit("high_entropy", f"a high-entropy value ({entropy(v):.1f} bits/char) in a "
                          f"field named {name!r}", location, redact(v))]
    return []


def _walk(obj: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(field name, string value, path) for every string in a JSON/YAML document."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = f"{path}.{k}" if path else str(k)
            if isinstance(v, str):
                yield str(k), v, p
            else:
                yield from _walk(v, p)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            p = f"{path}[{i}]"
            if isinstance(v, str):
                yield "", v, p
            else:
                yield from _walk(v, p)


def scan_document(doc: Any) -> list[SecretHit]:
    hits: list[SecretHit] = []
    for name, value, path in _walk(doc, ""):
        found = scan_text(value, path)
        if not found and name:
            found = scan_field(name, value, path)
        hits += found
    return hits
