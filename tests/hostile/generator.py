"""Seeded, reproducible hostile inputs for Clearance (issue 12): model folders (cards, licence
files, config and adapter JSON, weight headers), policies, manifests and text meant to inject
into reports. ``generate(count, seed)`` yields the same cases for the same arguments.

Each case says whether it makes a fact unknowable (``must_not_pass``): such an input must never
pass the strict policy of ``runner.py``. Sizes are real: a 100 KB run of ``<``, a 1.2 MiB licence
file, a card of 100,000 nesting levels, 5,000 ``base_model`` entries, a policy extending 5,000
files or holding 10,000 rules, a manifest of 10,000 entries (``heavy`` ones come once per cycle).
"""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

FIFO = b"\x00<fifo>"  # a file content that means: make a named pipe here
DEVICE = b"\x00<device>"  # a symbolic link to /dev/zero
FOLDER = b"\x00<folder>"  # an empty folder

# Strings meant to break out of a report format; the runner looks for the marker attribute
# ``data-hostile`` (HTML, Markdown) and for raw control characters (terminal, XML, JSON).
INJECTIONS = (
    '<script data-hostile="1">alert(1)</script>',
    '<img src=x onerror=alert(1) data-hostile="1">',
    '<svg data-hostile="1" onload=alert(1)>',
    '<iframe data-hostile="1" src="javascript:alert(1)"></iframe>',
    '<details open data-hostile="1"><summary>x</summary>',
    "<!-- unclosed comment",
    "\x1b[2J\x1b[31mred\x1b]0;title\x07",
    "\x1b[1A\x1b[2Kfake: 0 failures",
    "\u202egnp.exe\u202c",
    "a\x00b\x01c\x08d\x0be\x0cf\x7f",
    "]]><x/>",
    "</testcase><testcase name='forged'/>",
    "| forged | table |\n|---|---|",
    "`` ` ``",
    "[click](javascript:alert(1))",
    "${model.id}${{x}}",
    "&lt;script&gt; &amp; &#x3C;",
    "\ud800",  # a lone surrogate (from a YAML escape)
    "x" * 5000,
)
LICENCE_IDS = ("MIT", "Apache-2.0", "GPL-3.0-only", "CC-BY-NC-4.0", "llama3.1", "BSD-3-Clause")
APACHE_HEAD = (
    "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n\n"
    "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n\n"
)
NC_CLAUSE = (
    "\n\nADDITIONAL RESTRICTION: You may not use the Model or its outputs for any commercial "
    "purpose. Non-commercial research use only.\n"
)


@dataclass(frozen=True)
class Case:
    """One hostile input: a model folder (and optionally a policy or a manifest around it)."""

    family: str
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    policy: str | None = None  # policy text; None: the runner's strict policy
    extra_files: dict[str, bytes] = field(default_factory=dict)  # beside the policy/manifest
    manifest: str | None = None  # manifest text naming folders of ``extra_folders`` / ``m``
    extra_folders: dict[str, dict[str, bytes]] = field(default_factory=dict)
    must_not_pass: bool = False  # the input makes a fact unknowable
    heavy: bool = False


def card(front: str, body: str = "\n# Model\n") -> bytes:
    """A README.md with the given front matter."""
    return f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass")


def yq(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (control characters escaped as YAML escapes)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def safetensors(meta: dict[str, str] | None = None) -> bytes:
    """A well-formed (tensor-less) safetensors file."""
    header = json.dumps({"__metadata__": meta or {"format": "pt"}}).encode()
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header


def gguf(pairs: list[tuple[str, int, bytes]], count: int | None = None) -> bytes:
    """A GGUF v3 header of (key, type, encoded value) pairs."""

    def s(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    body = b"".join(s(k) + struct.pack("<I", t) + v for k, t, v in pairs)
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(pairs) if count is None else count) + body


def gguf_string(text: str) -> bytes:
    """A GGUF string value."""
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


SAFE = {"model.safetensors": safetensors()}


def _folder(
    front: str, extra: dict[str, bytes] | None = None, weights: bool = True
) -> dict[str, bytes]:
    files = {"README.md": card(front)}
    if weights:
        files.update(SAFE)
    files.update(extra or {})
    return files


# --- families --------------------------------------------------------------------------------


def cards(rng: random.Random) -> Case:
    """Card front matter: numbers, nesting, lists, odd types, duplicate keys, expressions."""
    inj = rng.choice(INJECTIONS)
    kinds: list[Callable[[], Case]] = [
        lambda: Case("card", "huge-int", _folder(f"license: mit\nx: {'9' * 5000}")),
        lambda: Case("card", "nan", _folder("license: mit\nx: .nan\ny: -.inf\nz: [.nan]")),
        lambda: Case("card", "nan-license", _folder("license: .nan"), must_not_pass=True),
        lambda: Case(
            "card",
            "deep-flow",
            _folder("license: mit\nx: " + "[" * 100_000 + "]" * 100_000),
            heavy=True,
        ),
        lambda: Case(
            "card",
            "deep-block",
            _folder("license: mit\nx:\n" + "".join(" " * i + "- \n" for i in range(1, 400))),
        ),
        lambda: Case(
            "card",
            "many-bases",
            _folder(
                "license: mit\nbase_model:\n" + "".join(f"- org{i}/m{i}\n" for i in range(5000))
            ),
            heavy=True,
        ),
        lambda: Case(
            "card", "self-base", _folder("license: mit\nbase_model: HOSTILE/M"), must_not_pass=True
        ),
        lambda: Case(
            "card",
            "expression-dangling",
            _folder(f"license: {rng.choice(['MIT AND', '(', 'OR OR', 'MIT WITH', ') MIT ('])}"),
            must_not_pass=True,
        ),
        lambda: Case(
            "card",
            "expression-alternatives",
            _folder("license: " + yq(_expression(rng, rng.randint(19, 40)))),
        ),
        lambda: Case(
            "card",
            "expression-dnf",
            _folder(
                "license: "
                + yq(
                    " AND ".join(
                        f"({a} OR {b})" for a, b in [rng.sample(LICENCE_IDS, 2) for _ in range(30)]
                    )
                )
            ),
        ),
        lambda: Case(
            "card",
            "license-list",
            _folder("license: [" + ", ".join(rng.choice(LICENCE_IDS) for _ in range(3000)) + "]"),
        ),
        lambda: Case(
            "card",
            "dup-key",
            _folder(f"license: mit\n{yq(inj)}: 1\n{yq(inj)}: 2"),
            must_not_pass=False,
        ),
        lambda: Case(
            "card",
            "injection",
            _folder(
                f"license: other\nlicense_name: {yq(inj)}\nlicense_link: {yq(inj)}\n"
                f"pipeline_tag: {yq(inj)}\ntags: [{yq(inj)}]\nlibrary_name: {yq(inj)}\n"
                f"base_model: {yq(inj)}"
            ),
            must_not_pass=True,
        ),
        lambda: _odd_types(rng),
        lambda: Case(
            "card",
            "alias-bomb",
            _folder(
                "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                + "".join(
                    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                    for p, c in zip("abcdefg", "bcdefgh", strict=False)
                )
                + "license: mit"
            ),
            must_not_pass=True,
        ),
        lambda: Case(
            "card",
            "unclosed",
            {"README.md": b"---\nlicense: mit\n" + b"x: y\n" * 50_000, **SAFE},
            must_not_pass=True,
        ),
        lambda: Case(
            "card", "binary", {"README.md": rng.randbytes(4096), **SAFE}, must_not_pass=True
        ),
        lambda: Case(
            "card",
            "prose-brackets",
            _folder("", weights=True)
            | {"README.md": b"# M\n\n**License:** " + b"[" * 50_000 + b"(" * 50_000},
            must_not_pass=True,
        ),
        lambda: Case(
            "card",
            "prose-lt",
            {"README.md": b"# M\n\nLicense: " + b"<" * 100_000, **SAFE},
            must_not_pass=True,
        ),
        lambda: Case(
            "card",
            "tag-run",
            _folder("license: mit\ntags: [" + ", ".join(f"t{i}" for i in range(20_000)) + "]"),
        ),
        lambda: Case("card", "long-key", _folder("license: mit\n" + "k" * 100_000 + ": 1")),
        lambda: Case(
            "card",
            "many-keys",
            _folder("license: mit\n" + "".join(f"k{i}: {i}\n" for i in range(20_000))),
        ),
    ]
    return rng.choice(kinds)()


ODD_TYPES = {  # front matter -> whether it makes the licence or lineage unknowable
    "license: {a: 1}": True,
    "license: [[mit]]": True,
    "license: true": True,
    "license: 2024-01-01": True,
    "license: mit\nbase_model: [1, null, {}]": True,
    "license: mit\nbase_model_relation: [1]": False,  # no base: the relation says nothing
    "license: mit\nextra_gated_eu_disallowed: [1]": False,  # not gated: nothing withheld
    "license: mit\ntags: {a: b}": False,
    "license: mit\nlicense_link: 5": False,  # the licence is stated; the link adds nothing
    "license: other\nlicense_name: [x]": True,
}


def _odd_types(rng: random.Random) -> Case:
    front = rng.choice(sorted(ODD_TYPES))
    return Case("card", "odd-types", _folder(front), must_not_pass=ODD_TYPES[front])


def _expression(rng: random.Random, n: int) -> str:
    ops = [rng.choice([" OR ", " AND "]) for _ in range(n - 1)]
    ids = [rng.choice(LICENCE_IDS) for _ in range(n)]
    return ids[0] + "".join(op + i for op, i in zip(ops, ids[1:], strict=True))


def licence_files(rng: random.Random) -> Case:
    """Licence files: large, hidden text, binary, runs that make parsers quadratic."""
    kinds: list[Callable[[], Case]] = [
        lambda: Case(
            "licence",
            "lt-run",
            _folder("license: mit", {"LICENSE": b"<" * 100_000}),
            must_not_pass=True,
        ),
        lambda: Case(
            "licence",
            "lt-gt-mix",
            _folder("license: mit", {"LICENSE": b"<a " * 30_000 + b"MIT License"}),
            must_not_pass=True,
        ),
        lambda: Case(
            "licence",
            "past-limit",
            _folder(
                "",
                {
                    "LICENSE": (APACHE_HEAD + _apache_body()).encode()
                    + b" " * (1024 * 1024 + 100)
                    + NC_CLAUSE.encode()
                },
            ),
            must_not_pass=True,
            heavy=True,
        ),
        lambda: Case(
            "licence",
            "html-comment",
            _folder(
                "license: apache-2.0",
                {"LICENSE": (APACHE_HEAD + _apache_body() + "<!--" + NC_CLAUSE + "-->").encode()},
            ),
            must_not_pass=True,
        ),
        lambda: Case(
            "licence",
            "binary",
            _folder("license: mit", {"LICENSE": rng.randbytes(8192)}),
            must_not_pass=True,
        ),
        lambda: Case(
            "licence",
            "nul",
            _folder("license: mit", {"LICENSE": b"MIT\x00License" * 100}),
            must_not_pass=True,
        ),
        lambda: Case(
            "licence", "fifo", _folder("license: mit", {"LICENSE": FIFO}), must_not_pass=True
        ),
        lambda: Case(
            "licence", "device", _folder("license: mit", {"LICENSE.md": DEVICE}), must_not_pass=True
        ),
        lambda: Case(
            "licence", "folder", _folder("license: mit", {"LICENSE": FOLDER}), must_not_pass=True
        ),
        lambda: Case(
            "licence",
            "many",
            _folder("license: mit", {f"LICENSE-{i}": rng.randbytes(64) for i in range(300)}),
            must_not_pass=True,
        ),
        lambda: Case(
            "licence",
            "injection",
            _folder(
                "license: mit", {"LICENSE": rng.choice(INJECTIONS).encode("utf-8", "surrogatepass")}
            ),
            must_not_pass=True,
        ),
    ]
    return rng.choice(kinds)()


def _apache_body() -> str:
    return (
        '1. Definitions. "License" shall mean the terms and conditions for use, reproduction, '
        "and distribution as defined by Sections 1 through 9 of this document.\n"
        "2. Grant of Copyright License. Subject to the terms and conditions of this License, "
        "each Contributor hereby grants to You a perpetual, worldwide, non-exclusive, no-charge, "
        "royalty-free, irrevocable copyright license to reproduce, prepare Derivative Works of, "
        "publicly display, publicly perform, sublicense, and distribute the Work and such "
        "Derivative Works in Source or Object form.\nEND OF TERMS AND CONDITIONS\n"
    )


def configs(rng: random.Random) -> Case:
    """config.json and adapter_config.json: not JSON, wrong types, numbers, nesting."""
    bad = rng.choice(
        [
            b"{",
            b"[1, 2]",
            b"null",
            b"\xff\xfe",
            b'{"a": NaN}',
            b'{"a": 1e999999}',
            b'{"a": ' + b"9" * 5000 + b"}",
            b"[" * 100_000 + b"]" * 100_000,
            b'{"base_model_name_or_path": 5}',
            b'{"base_model_name_or_path": ["a/b"]}',
            b'{"base_model_name_or_path": {"a": "b"}}',
            b'{"base_model_name_or_path": ""}',
            b'{"base_model_name_or_path": null}',
            b'{"base_model_name_or_path": "HOSTILE/M"}',
            b'{"base_model_name_or_path": "' + b"\x1b[2J".hex().encode() + b'"}',
        ]
    )
    which = rng.choice(["config.json", "adapter_config.json"])
    # an adapter here never names a usable base; a config.json that is not a JSON object
    # cannot say whether loading runs code (its auto_map)
    lineage_unknowable = which == "adapter_config.json" or not bad.startswith(b'{"')
    if bad == b'{"a": ' + b"9" * 5000 + b"}":
        lineage_unknowable = True
    return Case(
        "config",
        f"{which}:{bad[:20]!r}",
        _folder("license: mit", {which: bad}),
        must_not_pass=lineage_unknowable,
    )


def weight_headers(rng: random.Random) -> Case:
    """Weight files whose header is not what their name says."""
    big = "x" * 600_000
    kinds: list[tuple[str, dict[str, bytes], bool]] = [
        (
            "st-truncated",
            {"model.safetensors": struct.pack("<Q", 400) + b'{"__metadata__": {'},
            True,
        ),
        ("st-not-json", {"model.safetensors": struct.pack("<Q", 16) + b"{not json at all"}, True),
        ("st-2^63", {"model.safetensors": struct.pack("<Q", 2**63) + b"{" + b"\x00" * 64}, True),
        ("st-pickle", {"model.safetensors": b"\x80\x04\x95" + rng.randbytes(200)}, True),
        (
            "st-pickle-json",
            {"model.safetensors": struct.pack("<Q", 20) + b"{}\x80\x04cos\nsystem\n"},
            True,
        ),
        ("st-random", {"model.safetensors": rng.randbytes(2048)}, True),
        ("st-zip", {"model.safetensors": b"PK\x03\x04" + rng.randbytes(512)}, True),
        (
            "st-beside-pickle",
            {
                "model.safetensors": rng.randbytes(512),
                "pytorch_model.bin": b"\x80\x02" + rng.randbytes(100),
            },
            True,
        ),
        (
            "st-meta-injection",
            {
                "model.safetensors": safetensors(
                    {
                        "license": rng.choice(INJECTIONS).replace("\ud800", "?"),
                        "base_model": "\x1b[2J",
                    }
                )
            },
            False,
        ),
        ("st-meta-huge", {"model.safetensors": safetensors({"license": big})}, True),
        ("gguf-random", {"model.gguf": rng.randbytes(4096)}, True),
        ("gguf-licence-huge", {"m.gguf": gguf([("general.license", 8, gguf_string(big))])}, True),
        (
            "gguf-licence-expr",
            {"m.gguf": gguf([("general.license", 8, gguf_string(_expression(rng, 30)))])},
            False,
        ),
        (
            "gguf-count-huge",
            {"m.gguf": gguf([("general.license", 8, gguf_string("mit"))], count=2**63)},
            False,
        ),
        (
            "gguf-string-2^64",
            {
                "m.gguf": b"GGUF"
                + struct.pack("<IQQ", 3, 0, 1)
                + struct.pack("<Q", 2**64 - 1)
                + b"k"
            },
            False,
        ),
        ("gguf-array-bomb", {"m.gguf": gguf([("a", 9, struct.pack("<IQ", 9, 2**40))])}, False),
        ("gguf-pickle", {"m.gguf": b"\x80\x04\x95" + rng.randbytes(200)}, True),
        ("fifo-safetensors", {"model.safetensors": FIFO}, True),
        ("fifo-gguf", {"x.gguf": FIFO}, True),
        ("device-safetensors", {"model.safetensors": DEVICE}, True),
        ("folder-safetensors", {"model.safetensors": FOLDER}, True),
        ("many-pickles", {f"pytorch_model-{i:05}.bin": b"\x80\x02N." for i in range(2000)}, True),
    ]
    name, files, unknowable = rng.choice(kinds)
    front = "license: mit"
    folder = {"README.md": card(front), **files}
    return Case("weights", name, folder, must_not_pass=unknowable)


STRICT_RULE = (
    "version: 1\nextends: [builtin:baseline]\nsettings: {{unknown: error}}\n"
    "weights: {{deny-formats: [pickle], unsafe-format: error, remote-code: error}}\n"
    "rules:\n{rules}"
)


def policies(rng: random.Random) -> Case:
    """Policies: catastrophic regexes, wrong operand types, NUL, long chains, many rules."""
    long_value = "a" * 30 + "!"
    kinds: list[Callable[[], Case]] = [
        lambda: Case(
            "policy",
            "regex-catastrophic",
            _folder(f"license: mit\nx: {long_value}"),
            policy=STRICT_RULE.format(rules=_rule("{field: card.metadata.x, matches: '(a+)+$'}")),
        ),
        lambda: Case(
            "policy",
            "regex-catastrophic-2",
            _folder(f"license: mit\nx: {'a' * 5000}b"),
            policy=STRICT_RULE.format(rules=_rule("{field: card.metadata.x, matches: '(a|aa)*c'}")),
        ),
        lambda: Case(
            "policy",
            "regex-bad",
            _folder("license: mit"),
            policy=STRICT_RULE.format(
                rules=_rule(
                    rng.choice(
                        [
                            "{field: model.id, matches: '('}",
                            "{field: model.id, matches: 'a{99999999999}'}",
                            "{field: model.id, matches: '(?P<x>'}",
                        ]
                    )
                )
            ),
        ),
        lambda: Case(
            "policy",
            "contains-number",
            _folder("license: mit"),
            policy=STRICT_RULE.format(
                rules=_rule(
                    rng.choice(
                        [
                            "{field: model.id, contains: 5}",
                            "{field: license.ids, contains: 5}",
                            "{field: model.id, contains: [1]}",
                            "{field: model.id, in: 5}",
                            "{field: model.id, intersects: 5}",
                            "{field: lineage.depth, gte: abc}",
                        ]
                    )
                )
            ),
        ),
        lambda: Case(
            "policy",
            "nul",
            _folder("license: mit"),
            policy="version: 1\nname: x\nsettings:\n  fail-on: error\n  unknown: \x00\n",
        ),
        lambda: Case(
            "policy", "huge-int", _folder("license: mit"), policy=f"version: {'9' * 5000}\n"
        ),
        lambda: Case(
            "policy",
            "version-odd",
            _folder("license: mit"),
            policy="version: " + rng.choice(["true", "1.0", '"1"', "[1]", "null"]) + "\n",
        ),
        lambda: Case(
            "policy",
            "interpolation",
            _folder(f"license: mit\nx: {yq(rng.choice(INJECTIONS))}"),
            policy=STRICT_RULE.format(
                rules=_rule(
                    "{field: card.metadata.x, exists: true}",
                    message="'${card.metadata.x} ${model.id}'",
                )
            ),
        ),
        lambda: Case(
            "policy",
            "dup-key",
            _folder("license: mit"),
            policy=f"version: 1\nname: {yq(rng.choice(INJECTIONS))}\nname: b\n",
        ),
        lambda: Case(
            "policy",
            "deep-when",
            _folder("license: mit"),
            policy=STRICT_RULE.format(
                rules=_rule("{not: " * 3000 + "{field: model.id, exists: true}" + "}" * 3000)
            ),
        ),
        lambda: Case(
            "policy",
            "many-rules",
            _folder("license: mit"),
            heavy=True,
            policy=STRICT_RULE.format(
                rules="".join(
                    _rule("{field: model.id, matches: 'x.*y'}", ident=f"h/r{i}")
                    for i in range(10_000)
                )
            ),
        ),
        lambda: _extends_chain(5000),
        lambda: _extends_chain(40),
        lambda: Case(
            "policy",
            "extends-self",
            _folder("license: mit"),
            policy="version: 1\nextends: [policy.yaml]\n",
        ),
        lambda: Case(
            "policy",
            "waiver-glob",
            _folder("license: mit"),
            policy="version: 1\nextends: [builtin:baseline]\nwaivers:\n"
            "  - {id: W, rule: license/unknown, model: '[[[[**!!', reason: r, "
            "approved-by: a, expires: 2099-01-01}\n",
        ),
    ]
    return rng.choice(kinds)()


def _rule(when: str, ident: str = "h/r", message: str = "m") -> str:
    return f"  - id: {ident}\n    severity: error\n    message: {message}\n    when: {when}\n"


def _extends_chain(n: int) -> Case:
    extra = {f"p{i}.yaml": f"version: 1\nextends: [p{i + 1}.yaml]\n".encode() for i in range(n)}
    extra[f"p{n}.yaml"] = b"version: 1\nextends: [builtin:baseline]\n"
    return Case(
        "policy",
        f"extends-{n}",
        _folder("license: mit"),
        policy="version: 1\nextends: [p0.yaml]\n",
        extra_files=extra,
        heavy=n > 100,
    )


def manifests(rng: random.Random) -> Case:
    """Manifests: odd versions, NUL, long lists, paths the system refuses, lineage cycles."""
    entry = "  - {id: hostile/m, path: m}\n"
    kinds: list[Callable[[], Case]] = [
        lambda: Case(
            "manifest",
            "version",
            _folder("license: mit"),
            manifest="version: "
            + rng.choice(["true", "1.0", '"1"', "[1]", "0x1"])
            + f"\nmodels:\n{entry}",
        ),
        lambda: Case(
            "manifest",
            "nul",
            _folder("license: mit"),
            manifest=f"models:\n{entry}  - {{id: a/b, path: x}}\x00\n",
        ),
        lambda: Case(
            "manifest",
            "many",
            _folder("license: mit"),
            heavy=True,
            manifest="models:\n" + entry * 10_000,
        ),
        lambda: Case(
            "manifest",
            "thousand",
            _folder("license: mit"),
            manifest="models:\n" + entry * 1000,
            heavy=True,
        ),
        lambda: Case(
            "manifest", "hundred", _folder("license: mit"), manifest="models:\n" + entry * 100
        ),
        lambda: Case(
            "manifest",
            "odd-paths",
            _folder("license: mit"),
            manifest="models:\n"
            + entry
            + "  - {id: a/b, path: "
            + yq(
                rng.choice(["x\x00y", "x" * 300, "/dev/zero", "../" * 50, "m/README.md", "\x1b[2J"])
            )
            + "}\n",
            must_not_pass=True,
        ),
        lambda: Case(
            "manifest",
            "cycle",
            {},
            manifest=("models:\n  - {id: hostile/a, path: a}\n  - {id: hostile/b, path: b}\n"),
            extra_folders={
                "a": _folder("license: mit\nbase_model: hostile/B"),
                "b": _folder("license: mit\nbase_model: Hostile/a"),
            },
            must_not_pass=True,
        ),
        lambda: Case(
            "manifest",
            "injection",
            _folder("license: mit"),
            manifest="models:\n  - {id: "
            + yq("hostile/" + rng.choice(INJECTIONS))
            + ", path: m}\n",
        ),
    ]
    return rng.choice(kinds)()


def walks(rng: random.Random) -> Case:
    """Folder layouts: deep files, many files, links."""
    depth = rng.randint(5, 9)
    deep = "/".join(f"d{i}" for i in range(depth))
    kinds: list[tuple[str, dict[str, bytes], bool]] = [
        (
            "deep-code",
            {f"{deep}/modeling_evil.py": b"import os\n", "pytorch_model.bin": b"\x80\x02N."},
            True,
        ),
        ("deep-code-safe", {f"{deep}/modeling_evil.py": b"import os\n", **SAFE}, True),
        ("deep-pickle", {f"{deep}/model.bin": b"\x80\x02N.", **SAFE}, True),
        ("many-files", {f"f{i}.txt": b"" for i in range(rng.choice([500, 21_000]))}, True),
        ("link-loop", {**SAFE, "loop": b"\x00<link:.>"}, False),
        ("link-outside", {**SAFE, "etc": b"\x00<link:/etc>"}, False),
        ("undecodable", {**SAFE, "bad\udcff.py": b"x"}, True),
    ]
    name, files, unknowable = rng.choice(kinds)
    return Case(
        "walk",
        name,
        {"README.md": card("license: mit"), **files},
        must_not_pass=unknowable,
        heavy=name == "many-files" and len(files) > 10_000,
    )


def injections(rng: random.Random) -> Case:
    """Text meant to break out of the reports: in the id, the card, the file names."""
    inj = rng.choice(INJECTIONS)
    where = rng.choice(["id", "card", "file", "prose"])
    if where == "id":
        return Case(
            "inject",
            "id",
            _folder("license: mit"),
            manifest="models:\n  - {id: " + yq("hostile/" + inj) + ", path: m}\n",
        )
    if where == "file":
        name = inj.replace("/", "_").replace("\x00", "_").replace("\ud800", "_")[:200] + ".bin"
        return Case(
            "inject",
            "file-name",
            {"README.md": card("license: mit"), name: b"\x80\x02N."},
            must_not_pass=True,
        )
    if where == "prose":
        return Case(
            "inject",
            "prose",
            {
                "README.md": card(
                    "license: mit", f"\n## License\n\n{inj}\n[{inj}]({inj})\n"
                ).replace(b"\x00", b""),
                **SAFE,
            },
        )
    return Case(
        "inject",
        "card",
        _folder(f"license: {yq(inj)}\nlicense_name: {yq(inj)}\ntags: [{yq(inj)}]"),
        must_not_pass=True,
    )


FAMILIES: tuple[Callable[[random.Random], Case], ...] = (
    cards,
    licence_files,
    configs,
    weight_headers,
    policies,
    manifests,
    walks,
    injections,
)


HEAVY_EVERY = 240  # with heavy sizes on, each family's case of every 240th round is a heavy one


def generate(count: int, seed: int = 12, heavy: bool = True) -> Iterator[Case]:
    """``count`` cases, the same for the same seed: the families in turn, each case drawn from
    its own random stream (so a case does not change when another family changes). Heavy cases
    (the largest sizes) come once every ``HEAVY_EVERY`` rounds when ``heavy`` is true, never
    otherwise."""
    for number in range(count):
        family = FAMILIES[number % len(FAMILIES)]
        rng = random.Random(f"{seed}:{number}")
        want_heavy = heavy and (number // len(FAMILIES)) % HEAVY_EVERY == 0
        case = family(rng)
        tries = 0
        while case.heavy != want_heavy and tries < 200:
            case = family(rng)
            tries += 1
        if case.heavy and not heavy:
            continue  # a family without a light case here (never the case today)
        yield case
