"""Settings of the PII redaction stage and its per-entity redaction policies.

The stage detects pattern entities (e-mail, phone, payment and network identifiers, secrets)
with presidio recognizers and, when `ner_model` names an installed spaCy pipeline, named
entities. How each entity type is redacted is a policy: a typed placeholder, a keyed
pseudonym, or `drop` (the document is rejected when such entities are too dense). The key of
the pseudonyms is never part of the settings: only the name of the environment variable that
holds it is.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Entity types found by pattern recognizers; these names appear in `pii_spans`, in placeholders
# and in the per-type counters.
EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
IP_ADDRESS = "IP_ADDRESS"
US_SSN = "US_SSN"
CRYPTO = "CRYPTO"
AWS_ACCESS_KEY = "AWS_ACCESS_KEY"
API_TOKEN = "API_TOKEN"
PRIVATE_KEY = "PRIVATE_KEY"
URL_CREDENTIALS = "URL_CREDENTIALS"

PATTERN_ENTITIES: tuple[str, ...] = (
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    CREDIT_CARD,
    IBAN_CODE,
    IP_ADDRESS,
    US_SSN,
    CRYPTO,
    AWS_ACCESS_KEY,
    API_TOKEN,
    PRIVATE_KEY,
    URL_CREDENTIALS,
)
# Entities presidio's spaCy recognizer reports; only available with `ner_model`.
NER_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME")

# presidio's own default phone regions.
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")


class RedactionPolicy(StrEnum):
    # `<EMAIL_ADDRESS>` in place of the value.
    PLACEHOLDER = "placeholder"
    # `<EMAIL_ADDRESS:5f1c2a9b0d3e4f61>`: HMAC-SHA256 of the value under a secret key, so the same
    # value gets the same pseudonym everywhere while the value itself cannot be recovered.
    PSEUDONYM = "pseudonym"
    # The document is rejected when entities of drop-policy types are denser than
    # `max_density`; below that, the values are replaced by placeholders.
    DROP = "drop"


class PiiSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    entities: tuple[str, ...] = Field(
        default=PATTERN_ENTITIES,
        min_length=1,
        description="Pattern entity types to detect and redact (see docs/pii.md for what each "
        "one covers).",
    )
    phone_regions: tuple[str, ...] = Field(
        default=DEFAULT_PHONE_REGIONS,
        min_length=1,
        description="Regions (ISO 3166 alpha-2) whose national phone formats are recognised; "
        "numbers written with a + country code are found whatever the region.",
    )
    phone_min_digits: int = Field(
        default=7,
        ge=6,
        le=15,
        description="Fewest digits a phone number must have in one cluster (digits with at most "
        "four phone punctuation characters between them); shorter numbers are extensions or "
        "codes rather than identifying.",
    )
    phone_leniency: int = Field(
        default=1,
        ge=0,
        le=3,
        description="How strictly python-phonenumbers matches a phone number: 0 possible, 1 "
        "valid for its region (presidio's default), 2 valid with strict grouping, 3 valid "
        "with exact grouping.",
    )
    min_score: float = Field(
        default=0.05,
        gt=0.0,
        le=1.0,
        description="Lowest recognizer confidence that counts as a detection. The default counts "
        "what presidio calls very weak (a bare 9-digit number as an SSN, the unspecified IPv6 "
        "address `::`); 0.4 counts those only next to a context word.",
    )
    default_policy: RedactionPolicy = Field(
        default=RedactionPolicy.PLACEHOLDER,
        description="How entity types without an entry in `policies` are redacted.",
    )
    policies: dict[str, RedactionPolicy] = Field(
        default_factory=dict,
        description="Redaction policy per entity type (placeholder, pseudonym or drop).",
    )
    pseudonym_key_env: str = Field(
        default="CURATE_PII_KEY",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Environment variable holding the secret key of the pseudonym policy (at "
        "least 16 characters). Needed only when a type uses that policy; never written out.",
    )
    max_density: float = Field(
        default=2.0,
        gt=0.0,
        description="Drop policy: a document is rejected when it holds more than this many "
        "entities of drop-policy types per 1,000 characters of its text before redaction.",
    )
    ner_model: str | None = Field(
        default=None,
        description="Installed spaCy pipeline (package name or path) for named entities; empty "
        "means no NER. A trained pipeline on a CPU runs at about 15 documents per second.",
    )
    ner_entities: tuple[str, ...] = Field(
        default=("PERSON", "LOCATION"),
        description="Named-entity types to redact when `ner_model` is set.",
    )

    @field_validator("entities")
    @classmethod
    def _known_entities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(PATTERN_ENTITIES))
        if unknown:
            raise ValueError(f"unknown entity types {unknown}; known: {list(PATTERN_ENTITIES)}")
        return value

    @field_validator("ner_entities")
    @classmethod
    def _known_ner_entities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(NER_ENTITIES))
        if unknown:
            raise ValueError(f"unknown NER entity types {unknown}; known: {list(NER_ENTITIES)}")
        return value

    @field_validator("phone_regions")
    @classmethod
    def _known_regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from phonenumbers import SUPPORTED_REGIONS  # small, pure-python metadata index

        unknown = sorted(
            r for r in value if not re.fullmatch(r"[A-Z]{2}", r) or r not in SUPPORTED_REGIONS
        )
        if unknown:
            raise ValueError(f"unknown phone regions {unknown}")
        return value

    @model_validator(mode="after")
    def _policies_name_detected_types(self) -> PiiSettings:
        unknown = sorted(set(self.policies) - set(self.detected_types()))
        if unknown:
            raise ValueError(f"policies name types that are not detected: {unknown}")
        return self

    def detected_types(self) -> tuple[str, ...]:
        """Every entity type the stage reports with these settings."""
        return self.entities + (self.ner_entities if self.ner_model else ())

    def policy(self, entity_type: str) -> RedactionPolicy:
        return self.policies.get(entity_type, self.default_policy)

    def uses(self, policy: RedactionPolicy) -> bool:
        return any(self.policy(t) is policy for t in self.detected_types())
