"""Merge an ``extends`` chain into one mapping, remembering where each setting came from, and
build the Policy from its sections.

Mappings merge key by key, later files winning; lists and scalars are replaced; ``rules`` and
``waivers`` add up by id (an id repeated later replaces the earlier entry). Each key path set is
recorded with the file and line that set it last (``/licenses/allow``, ``/rules/<id>``).
``developers`` and ``clarify`` are read from the chain itself, each entry with its own file and
line (``checker.policy.curations``).
"""

from __future__ import annotations

from typing import Any

from checker import yamlio
from checker.checks.card import CardPolicy
from checker.checks.custom import read_rules
from checker.checks.drift import DriftPolicy
from checker.checks.license import LicensePolicy
from checker.checks.provenance import ProvenancePolicy
from checker.checks.waivers import read_waivers
from checker.checks.weights import WeightsPolicy
from checker.policy.curations import SECTIONS as CURATIONS
from checker.policy.curations import read_curations
from checker.policy.model import Policy, Settings, UseProfile
from checker.policy.origins import Origin, Origins
from checker.policy.reader import PolicyFile, mappings

_BY_ID = ("rules", "waivers")


def merge(chain: list[PolicyFile]) -> tuple[dict[str, Any], dict[str, Origin]]:
    """The merged mapping of the chain (parents first) and the origin of every key path."""
    merged: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for pf in chain:
        merged = _merge(merged, pf.plain, pf.node, "", pf.name, origins)
    return merged, origins


def _line(node: Any, key: str | int) -> int | None:
    if isinstance(key, int):
        pos = yamlio.item_position(node, key)
    else:
        pos = yamlio.key_position(node, key)
    return None if pos is None else pos[0] + 1


def _forget(origins: dict[str, Origin], pointer: str) -> None:
    """Drop what was recorded under ``pointer`` (a value that replaces a whole subtree)."""
    for key in [k for k in origins if k.startswith(pointer + "/")]:
        del origins[key]


def _merge(
    base: dict[str, Any],
    over: dict[str, Any],
    node: Any,
    prefix: str,
    file: str,
    origins: dict[str, Origin],
) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if (key == "extends" or key in CURATIONS) and not prefix:
            continue
        pointer = f"{prefix}/{key}"
        origins[pointer] = Origin(file, _line(node, key))
        child = node.get(key) if isinstance(node, dict) else None
        if key in _BY_ID and not prefix:
            by_id = {item.get("id"): item for _, item in mappings(out.get(key))}
            for index, item in mappings(value):
                by_id[item.get("id")] = item
                origins[f"{pointer}/{item.get('id')}"] = Origin(file, _line(child, index))
            out[key] = list(by_id.values())
        elif isinstance(value, dict):
            previous = out.get(key)
            if not isinstance(previous, dict):
                _forget(origins, pointer)
                previous = {}
            out[key] = _merge(previous, value, child, pointer, file, origins)
        else:
            _forget(origins, pointer)
            out[key] = value
    return out


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def build(
    data: dict[str, Any], origins: dict[str, Origin], chain: list[PolicyFile], digest: str
) -> Policy:
    """The Policy of a merged, valid chain: each section read by its own ``from_mapping``."""
    known = Origins.of(origins)
    return Policy(
        name=str(data.get("name") or chain[-1].name),
        files=tuple(pf.name for pf in chain),
        sha256=digest,
        use=UseProfile.from_mapping(_section(data, "use")),
        settings=Settings.from_mapping(_section(data, "settings")),
        licenses=LicensePolicy.from_mapping(_section(data, "licenses")),
        provenance=ProvenancePolicy.from_mapping(_section(data, "provenance")),
        weights=WeightsPolicy.from_mapping(_section(data, "weights")),
        card=CardPolicy.from_mapping(_section(data, "card")),
        drift=DriftPolicy.from_mapping(_section(data, "drift")),
        custom_rules=read_rules(data.get("rules", [])),
        waivers=read_waivers(data.get("waivers", []), known),
        curations=read_curations(chain),
        origins=known,
    )
