#!/usr/bin/env bash
# Rewrites core/data/public-suffix-list.txt from the public suffix list that the PyPI package
# publicsuffixlist ships (default: its latest release): the rules of both sections, each label in
# its ASCII form (punycode for internationalised labels, as orgkit compares domains), sorted
# bytewise, unique; wildcard (`*.ck`) and exception (`!www.ck`) rules keep their prefix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download -q --no-deps -d "$work" "publicsuffixlist${version:+==$version}"
(cd "$work" && python3 -m zipfile -e publicsuffixlist-*.whl unpacked)
python3 - "$work"/unpacked/publicsuffixlist/public_suffix_list.dat "$here/public-suffix-list.txt" <<'PY'
import sys

def ascii_label(label):
    if label in ("*",) or label.isascii():
        return label.lower()
    return "xn--" + label.lower().encode("punycode").decode()

rules = set()
for line in open(sys.argv[1], encoding="utf-8"):
    rule = line.split()[0] if line.split() else ""
    if not rule or rule.startswith("//"):
        continue
    prefix = "!" if rule.startswith("!") else ""
    rules.add(prefix + ".".join(ascii_label(l) for l in rule.lstrip("!").split(".")))
open(sys.argv[2], "w").write("\n".join(sorted(rules)) + "\n")
print(f"{len(rules)} rules")
PY
ls "$work" | sed -n 's/^publicsuffixlist-\(.*\)-py3.*/package version: \1/p'
