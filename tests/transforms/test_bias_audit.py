from schemas.toxicity import BiasAuditSettings
from transforms.bias_audit import audit_filter_impact, removing_stages

MUSLIM = "religion:muslim"
WOMEN = "gender:women"

# Ten ledger rows: one error (left out), one rejected row without flags (older ledgers), the
# rest with flags as the decide step writes them.
ROWS = [
    {"status": "kept", "stage": None, "flags": [], "identity_groups": [MUSLIM]},
    {
        "status": "rejected",
        "stage": "toxicity",
        "flags": ["toxicity:toxic"],
        "identity_groups": [MUSLIM],
    },
    {
        "status": "rejected",
        "stage": "quality",
        "flags": ["quality:too_few_words", "toxicity:toxic"],
        "identity_groups": [MUSLIM, WOMEN],
    },
    {"status": "kept", "stage": None, "flags": [], "identity_groups": [WOMEN]},
    {"status": "kept", "stage": None, "flags": [], "identity_groups": []},
    {
        "status": "rejected",
        "stage": "quality",
        "flags": ["quality:too_few_words"],
        "identity_groups": [],
    },
    {"status": "error", "stage": "read", "flags": [], "identity_groups": [MUSLIM]},
    {"status": "kept", "stage": None, "flags": [], "identity_groups": [MUSLIM]},
    {"status": "rejected", "stage": "language", "flags": None, "identity_groups": [WOMEN]},
    {"status": "kept", "stage": None, "flags": None, "identity_groups": None},
]


def test_removing_stages_from_flags_or_outcome() -> None:
    assert removing_stages(ROWS[2]) == {"quality", "toxicity"}
    assert removing_stages(ROWS[8]) == {"language"}
    assert removing_stages(ROWS[0]) == set()
    assert removing_stages(ROWS[9]) == set()


def test_audit_numbers_are_exact() -> None:
    audit = audit_filter_impact(
        ROWS, BiasAuditSettings(max_ratio=2.0, min_docs=4), ["language", "quality", "toxicity"]
    )
    assert [(s.stage, s.docs, s.removed, s.removal_rate) for s in audit.stages] == [
        ("language", 9, 1, 1 / 9),
        ("quality", 9, 2, 2 / 9),
        ("toxicity", 9, 2, 2 / 9),
    ]
    assert [
        (g.stage, g.group, g.docs, g.removed, g.removal_rate, g.ratio, g.over_limit)
        for g in audit.groups
    ] == [
        ("language", WOMEN, 3, 1, 1 / 3, (1 / 3) / (1 / 9), False),  # ratio 3 but only 3 docs
        ("language", MUSLIM, 4, 0, 0.0, 0.0, False),
        ("quality", WOMEN, 3, 1, 1 / 3, (1 / 3) / (2 / 9), False),
        ("quality", MUSLIM, 4, 1, 1 / 4, (1 / 4) / (2 / 9), False),
        ("toxicity", WOMEN, 3, 1, 1 / 3, (1 / 3) / (2 / 9), False),
        ("toxicity", MUSLIM, 4, 2, 2 / 4, (2 / 4) / (2 / 9), True),
    ]
    assert [(m.stage, m.group) for m in audit.marks] == [("toxicity", MUSLIM)]
    assert audit.messages() == [
        "stage 'toxicity' removes 50.0% of the 4 documents mentioning religion:muslim, "
        "2.25 times its overall rate of 22.2% (limit 2)"
    ]


def test_min_docs_and_limit_decide_the_marks() -> None:
    lenient = audit_filter_impact(ROWS, BiasAuditSettings(max_ratio=2.5, min_docs=1))
    assert [(m.stage, m.group) for m in lenient.marks] == [("language", WOMEN)]
    strict = audit_filter_impact(ROWS, BiasAuditSettings(max_ratio=1.4, min_docs=3))
    assert [(m.stage, m.group) for m in strict.marks] == [
        ("language", WOMEN),
        ("quality", WOMEN),
        ("toxicity", WOMEN),
        ("toxicity", MUSLIM),
    ]


def test_stages_without_removals_and_empty_ledgers() -> None:
    kept = [{"status": "kept", "flags": [], "identity_groups": [MUSLIM]}]
    audit = audit_filter_impact(kept, BiasAuditSettings())
    assert audit.stages == () and audit.groups == () and audit.marks == ()
    assert audit_filter_impact([], BiasAuditSettings()).to_dict() == {
        "max_ratio": 2.0,
        "min_docs": 5,
        "fail": False,
        "stages": [],
        "groups": [],
        "marks": [],
    }


def test_to_dict_is_json_ready() -> None:
    audit = audit_filter_impact(ROWS, BiasAuditSettings(max_ratio=2.0, min_docs=4, fail=True))
    data = audit.to_dict()
    assert data["fail"] is True
    assert data["marks"] == [{"stage": "toxicity", "group": MUSLIM}]
    assert data["stages"][0] == {
        "stage": "language",
        "docs": 9,
        "removed": 1,
        "removal_rate": 1 / 9,
    }
    assert len(data["groups"]) == 6
