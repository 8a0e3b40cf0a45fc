"""A seeded sample of the hostile-input generator through the library API (issue 12): no internal
error, no run over its time bound, every report valid for its consumer, no pass on an input
that makes a fact unknowable. ``benchmarks/bench_hostile.py`` runs the full set (10,000+)."""

from __future__ import annotations

import os
from collections import Counter
from functools import cache

from checker.knowledge import Knowledge
from hostile.generator import FAMILIES, Case, generate
from hostile.runner import run_cases

SEED = int(os.environ.get("CLEARANCE_HOSTILE_SEED", "12"))
SAMPLE = int(os.environ.get("CLEARANCE_HOSTILE_SAMPLE", "1000"))


@cache
def sample() -> tuple[Case, ...]:
    """The CI sample (the heaviest sizes are left to the benchmark)."""
    return tuple(generate(SAMPLE, SEED, heavy=False))


def test_the_generator_is_reproducible() -> None:
    first = [(c.family, c.name, sorted(c.files)) for c in generate(64, SEED)]
    again = [(c.family, c.name, sorted(c.files)) for c in generate(64, SEED)]
    assert first == again
    assert [(c.family, c.name) for c in generate(64, SEED + 1)] != [
        (c.family, c.name) for c in generate(64, SEED)
    ]


def test_every_family_is_in_the_sample() -> None:
    families = Counter(c.family for c in sample())
    assert len(families) == len(FAMILIES)
    assert min(families.values()) >= SAMPLE // len(FAMILIES)


def test_a_sample_of_hostile_inputs(kb: Knowledge) -> None:
    counts = run_cases(sample(), kb, bound=10.0)
    assert counts.cases == SAMPLE
    bad = {name: n for name, n in counts.bad().items() if n}
    assert not bad, (bad, counts.failures)
