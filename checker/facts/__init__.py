"""The facts layer: everything Clearance knows about one model, built from a source's raw
material (``build``), linked through the audit's other models (``lineage``), completed with the
licences that bind it (``binding``), and projected as plain data (``projection``)."""

from checker.facts.model import (
    Ancestor,
    BaseModelRef,
    Binding,
    CardFacts,
    DeclaredBy,
    DeclaredLicense,
    Developer,
    FoundDocument,
    LicenseFacts,
    LineageError,
    ModelFacts,
    ModelIdentity,
    ModelObligation,
    Problem,
    ProblemKind,
    ProvenanceFacts,
    WeightFacts,
    WeightFile,
    Withheld,
)

__all__ = [
    "Ancestor",
    "BaseModelRef",
    "Binding",
    "CardFacts",
    "DeclaredBy",
    "DeclaredLicense",
    "Developer",
    "FoundDocument",
    "LicenseFacts",
    "LineageError",
    "ModelFacts",
    "ModelIdentity",
    "ModelObligation",
    "Problem",
    "ProblemKind",
    "ProvenanceFacts",
    "WeightFacts",
    "WeightFile",
    "Withheld",
]
