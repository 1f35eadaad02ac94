#!/usr/bin/env bash
# Builds the npm package `orgkit` (its entries per runtime: npm/entry/, see the package.json exports) into bindings-wasm/npm/node (nodejs target, signatures by
# node:crypto) and bindings-wasm/npm/web (web target, signatures by RustCrypto in the module),
# and the same two without the core operations (the guard alone, for edge workers) into
# npm/guard/node and npm/guard/web.
# Idempotent; installs what it needs:
#   - wasm-bindgen-cli, the exact version of the wasm-bindgen crate in Cargo.lock;
#   - the npm dev tools of package-lock.json (binaryen's wasm-opt, jose, typescript).
# The size profile is passed on the command line so the workspace's release profile is untouched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
cd "$here"

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
log() { printf 'bindings-wasm: %s\n' "$*"; }

# 1. wasm-bindgen CLI = the crate's version (without --locked: see ../../shared TOOLCHAIN notes).
want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
if [ -z "$want" ]; then echo "bindings-wasm: wasm-bindgen is not in Cargo.lock" >&2; exit 1; fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want" --force --quiet
fi

# 2. npm tooling, reinstalled only when the lock file changes.
stamp=node_modules/.orgkit-lock.sha
lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_sha" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sha" > "$stamp"
fi

# 3. The wasm modules: LTO, one codegen unit, abort on panic. ORGKIT_WASM_OPT_LEVEL and
#    ORGKIT_WASM_OPT_FLAGS trade size for speed (see the WASM section of BENCHMARKS.md).
opt_level=${ORGKIT_WASM_OPT_LEVEL:-s}
wasm_opt_flags=${ORGKIT_WASM_OPT_FLAGS:--Oz}
case "$opt_level" in [0-3]) ;; *) opt_level="\"$opt_level\"" ;; esac
profile=(
  --config 'profile.release.lto="fat"'
  --config 'profile.release.codegen-units=1'
  --config "profile.release.opt-level=$opt_level"
  --config 'profile.release.panic="abort"'
  --config 'profile.release.strip="debuginfo"'
)
# The nodejs build signs and verifies with node:crypto (feature node_crypto); the web build, for
# runtimes without synchronous WebCrypto, carries RustCrypto (the default feature).
wasm="$target_dir/wasm32-unknown-unknown/release/orgkit_wasm.wasm"
build_module() { # <out-dir> <wasm-bindgen target> [cargo feature flags...]
  local out=$1 bindgen_target=$2
  shift 2
  log "cargo build (wasm32, release, $bindgen_target)"
  (cd "$root" && cargo build -p orgkit-wasm --target wasm32-unknown-unknown --release --quiet "${profile[@]}" "$@")
  rm -rf "$out"
  wasm-bindgen --target "$bindgen_target" --out-dir "$out" --out-name orgkit "$wasm"
}
build_module npm/node nodejs --no-default-features --features node_crypto,ops
build_module npm/web web --no-default-features --features rust_crypto,ops
build_module npm/guard/node nodejs --no-default-features --features node_crypto
build_module npm/guard/web web --no-default-features --features rust_crypto
node_builds=(npm/node npm/guard/node)
# The licence travels in the tarball (npm packs a LICENSE found next to package.json).
cp "$root/LICENSE" npm/LICENSE
web_builds=(npm/web npm/guard/web)

# 4. Glue fix-ups. wasm-bindgen copies this folder's package.json dependencies next to the glue;
#    replace them.
for out in "${node_builds[@]}"; do echo '{ "type": "commonjs" }' > "$out/package.json"; done
for out in "${web_builds[@]}"; do echo '{ "type": "module" }' > "$out/package.json"; done
# The JS snippets (js/*.js) are ES modules; the nodejs glue require()s them, so give them CommonJS.
for out in "${node_builds[@]}"; do
  for snippet in "$out"/snippets/*/js/*.js; do
    names=$(grep -oE '^export (class|function) [A-Za-z_]+' "$snippet" | awk '{print $3}' | paste -sd, -)
    sed -i -E 's/^export (class|function) /\1 /; s/^import \* as ([A-Za-z_]+) from ("[^"]+");/const \1 = require(\2);/' "$snippet"
    echo "module.exports = { $names };" >> "$snippet"
  done
done
# Export the error class next to the functions, for `instanceof OrgkitError`.
for out in "${node_builds[@]}"; do echo 'exports.OrgkitError = OrgkitError;' >> "$out/orgkit.js"; done
for out in "${web_builds[@]}"; do echo 'export { OrgkitError };' >> "$out/orgkit.js"; done

# 5. The entries of the conditional exports (npm/entry/, hand-written): the CommonJS copy of
#    remote_jwks.mjs for node.cjs, and the guard's entries, the same files (from guard/entry/ the
#    guard builds sit at the same relative paths as the full builds from entry/).
mkdir -p npm/cjs
{ sed -E 's/^export function /function /' npm/entry/remote_jwks.mjs; echo 'module.exports = { defineRemoteOrgGuard };'; } > npm/cjs/remote_jwks.cjs
mkdir -p npm/guard/entry
for entry in npm/entry/*; do
  case "$entry" in */remote_jwks.*) continue ;; esac
  sed -E 's#"\./remote_jwks\.#"../../entry/remote_jwks.#; s#"\.\./cjs/#"../../cjs/#' "$entry" > "npm/guard/entry/${entry##*/}"
done

# 6. Size optimisation with binaryen's wasm-opt, once per distinct module (cached by hash).
wasm_opt=node_modules/.bin/wasm-opt
cache="$target_dir/orgkit-wasm-opt"
mkdir -p "$cache"
modules=("${node_builds[@]/%//orgkit_bg.wasm}" "${web_builds[@]/%//orgkit_bg.wasm}")
for module in "${modules[@]}"; do
  if [ ! -x "$wasm_opt" ]; then
    log "wasm-opt not found: $module is not size-optimised"
    continue
  fi
  key=$( (sha256sum "$module" | cut -d' ' -f1; "$wasm_opt" --version; echo "$wasm_opt_flags") | sha256sum | cut -d' ' -f1)
  if [ ! -f "$cache/$key.wasm" ]; then
    log "wasm-opt $wasm_opt_flags $module"
    # shellcheck disable=SC2086 # the flags are a list
    "$wasm_opt" $wasm_opt_flags --strip-debug --strip-producers \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      "$module" -o "$cache/$key.tmp"
    mv "$cache/$key.tmp" "$cache/$key.wasm"
  fi
  cp "$cache/$key.wasm" "$module"
done
for module in "${modules[@]}"; do
  log "built $module ($(wc -c < "$module") bytes, $(gzip -9c "$module" | wc -c) gzipped)"
done
