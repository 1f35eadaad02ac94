#!/usr/bin/env bash
# Rewrites core/data/free-email-domains.txt from the npm package free-email-domains (default: its
# latest version): lowercase, no trailing dot, sorted bytewise, unique.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=${1:-latest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "free-email-domains@$version" >/dev/null && tar xzf free-email-domains-*.tgz)
python3 - "$work/package/domains.json" "$here/free-email-domains.txt" <<'PY'
import json, sys
domains = sorted({d.strip().lower().rstrip(".") for d in json.load(open(sys.argv[1])) if d.strip()})
open(sys.argv[2], "w").write("\n".join(domains) + "\n")
print(f"{len(domains)} domains")
PY
cp "$work/package/LICENSE.md" "$here/free-email-domains.LICENSE.md"
echo "package version: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$work/package/package.json")"
