"""Settings of the licence, opt-out and provenance stage: what it detects and the build's policy.

Detection options (`robots_meta_names`, `opt_out_directives`, `opt_out_domains`) change what the
stage writes into a document; policy options (`allowed_licenses`, `allow_unknown`,
`min_license_confidence`, `honour_opt_out`, `domain_allowlist`, `domain_denylist`) are applied only
by the decide step through `transforms.licensing.check`, so a build can be re-thresholded without
re-tagging. Licence ids are validated against the SPDX licence list that `packaging` ships, so a
typo in a config fails when the config is loaded, not as a silently empty allow-list.
"""

from __future__ import annotations

import re
from typing import Literal

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

# Creative Commons jurisdiction ports (CC-BY-3.0-DE, CC-BY-NC-ND-3.0-IGO, ...) are folded into the
# unported licence of the same version, the way the detector reports them (docs/licensing.md).
_CC_PORT = re.compile(r"^(CC-BY(?:-NC)?(?:-ND|-SA)?-\d\.\d)-[A-Z]{2,}$")
# Deprecated GNU ids without -only/-or-later: a bare version means "only", "+" means "or later".
_GNU_DEPRECATED = re.compile(r"^((?:A|L)?GPL|GFDL)-(\d\.\d)(\+?)$")
# A host name or registered domain: labels of letters, digits, hyphens (IDNs as punycode or
# Unicode), dot-separated.
_HOSTNAME = re.compile(r"^(?:[\w-]+\.)*[\w-]+$")


def canonical_license_id(value: str) -> str:
    """The canonical spelling of one SPDX licence id (or `LicenseRef-...`), ports folded.

    Raises `ValueError` naming the value when it is not on the SPDX licence list.
    """
    token = value.strip()
    if token.lower().startswith("licenseref-"):
        return "LicenseRef-" + token[len("licenseref-") :]
    try:
        canonical = canonicalize_license_expression(token)
    except InvalidLicenseExpression as exc:
        raise ValueError(f"{value!r} is not an SPDX licence id") from exc
    if " " in canonical:
        raise ValueError(f"{value!r} is a licence expression, not a single SPDX licence id")
    gnu = _GNU_DEPRECATED.match(canonical)
    if gnu:
        return f"{gnu.group(1)}-{gnu.group(2)}-{'or-later' if gnu.group(3) else 'only'}"
    port = _CC_PORT.match(canonical)
    if port:
        try:
            return canonicalize_license_expression(port.group(1))
        except InvalidLicenseExpression:
            return canonical
    return canonical


def normalize_domain(value: str) -> str:
    """A domain-list entry as the stage compares it: lower case, no scheme, wildcard or dots."""
    entry = value.strip().lower()
    for prefix in ("https://", "http://"):
        if entry.startswith(prefix):
            entry = entry[len(prefix) :]
    entry = entry.split("/", 1)[0].removeprefix("*.").strip(".")
    if not entry or not _HOSTNAME.match(entry):
        raise ValueError(f"{value!r} is not a domain name")
    return entry


def _sorted_domains(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({normalize_domain(v) for v in values}))


class LicenseSettings(BaseModel):
    """Licence, opt-out and domain policy of a build, plus the opt-out detection options."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- policy (applied by the decide step) ---
    allowed_licenses: Literal["any"] | tuple[str, ...] = Field(
        default="any",
        description=(
            "Licences a kept document may carry: `any`, or a list of SPDX ids (and `LicenseRef-` "
            "ids such as `LicenseRef-CC-BY-SA` for a Creative Commons licence of unknown "
            "version). A licence expression passes when it is satisfiable with allowed ids "
            "(`A OR B` needs one, `A AND B` needs both). Documents without a detected licence "
            "are governed by `allow_unknown` instead."
        ),
    )
    allow_unknown: bool = Field(
        default=True,
        description=(
            "Keep documents whose licence is `unknown` (or below `min_license_confidence`). "
            "With `allowed_licenses: any` and this off, only documents with a detected licence "
            "are kept."
        ),
    )
    min_license_confidence: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description=(
            "A detected licence with a lower confidence is treated as `unknown` by the policy "
            "(the ledger still shows it). See docs/licensing.md for the confidence scale."
        ),
    )
    honour_opt_out: bool = Field(
        default=True,
        description="Reject documents with an AI/TDM opt-out signal (reason `opted_out`).",
    )
    domain_allowlist: tuple[str, ...] = Field(
        default=(),
        description=(
            "When non-empty, only documents whose host is one of these domains or a subdomain "
            "of one are kept (reason `domain_denied` otherwise). Entries are host names or "
            "registered domains, e.g. `example.org` matches `www.example.org`."
        ),
    )
    domain_denylist: tuple[str, ...] = Field(
        default=(),
        description=(
            "Documents whose host is one of these domains or a subdomain of one are rejected "
            "(reason `domain_denied`)."
        ),
    )

    # --- detection (written into the document by the stage) ---
    opt_out_domains: tuple[str, ...] = Field(
        default=(),
        description=(
            "Domains whose owners opted out of AI training (e.g. from takedown requests): a "
            "document whose host is one of them or a subdomain of one gets the opt-out signal "
            "`domain_list`."
        ),
    )
    opt_out_directives: tuple[str, ...] = Field(
        default=("noai", "noimageai"),
        min_length=1,
        description=(
            "Robots directives that count as an AI opt-out, in `<meta name=robots>` (and the "
            "bot-specific names below) and in `X-Robots-Tag` headers."
        ),
    )
    robots_meta_names: tuple[str, ...] = Field(
        default=(
            "robots",
            "ccbot",
            "gptbot",
            "google-extended",
            "anthropic-ai",
            "claudebot",
            "chatgpt-user",
            "omgilibot",
            "bytespider",
        ),
        min_length=1,
        description=(
            "`<meta name=...>` names and `X-Robots-Tag` user-agent prefixes whose directives "
            "are read; `robots` is the one for every crawler."
        ),
    )

    _domain_allow: frozenset[str] = PrivateAttr(default=frozenset())
    _domain_deny: frozenset[str] = PrivateAttr(default=frozenset())
    _opt_out_domains: frozenset[str] = PrivateAttr(default=frozenset())
    _allowed: frozenset[str] = PrivateAttr(default=frozenset())

    @field_validator("allowed_licenses", mode="after")
    @classmethod
    def _canonical_licenses(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(value, str):
            return value
        ids = []
        for item in value:
            if item.strip().lower() in ("unknown", "any"):
                raise ValueError(
                    f"{item!r} cannot be listed; use `allowed_licenses: any` or `allow_unknown`"
                )
            ids.append(canonical_license_id(item))
        return tuple(sorted(set(ids)))

    @field_validator("domain_allowlist", "domain_denylist", "opt_out_domains", mode="after")
    @classmethod
    def _canonical_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _sorted_domains(value)

    @field_validator("opt_out_directives", "robots_meta_names", mode="after")
    @classmethod
    def _lower_tokens(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        tokens = tuple(dict.fromkeys(v.strip().lower() for v in value))
        if any(not t or not re.fullmatch(r"[\w.-]+", t) for t in tokens):
            raise ValueError("entries must be single words such as `noai` or `robots`")
        return tokens

    def model_post_init(self, __context: object) -> None:
        # Lookup sets derived once per settings object: the stage and `check` consult them for
        # every document.
        self._domain_allow = frozenset(self.domain_allowlist)
        self._domain_deny = frozenset(self.domain_denylist)
        self._opt_out_domains = frozenset(self.opt_out_domains)
        if self.allowed_licenses != "any":
            self._allowed = frozenset(i.lower() for i in self.allowed_licenses)

    @property
    def allowed_set(self) -> frozenset[str]:
        """Allowed licence ids, lower case; empty when `allowed_licenses` is `any`."""
        return self._allowed

    @property
    def domain_allow_set(self) -> frozenset[str]:
        return self._domain_allow

    @property
    def domain_deny_set(self) -> frozenset[str]:
        return self._domain_deny

    @property
    def opt_out_domain_set(self) -> frozenset[str]:
        return self._opt_out_domains
