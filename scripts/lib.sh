# Shared by scripts/demo and scripts/test: install what a fresh machine lacks, quickly skip
# what is already there. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# Playwright must never download a browser: it drives Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

CARGO_LEPTOS_VERSION=0.3.10

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "Adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    step "Installing cargo-leptos $CARGO_LEPTOS_VERSION (once, about 12 minutes)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  # cargo-leptos runs the wasm-bindgen CLI from PATH; it must match the crate in Cargo.lock
  # exactly. Its own lockfile pins crates the registry may lack, so no --locked here.
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    step "Installing wasm-bindgen-cli $want"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_npm_tools() {
  if [ ! -x node_modules/.bin/playwright ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "Installing npm packages (Playwright, binaryen)"
    npm ci --no-audit --no-fund
  fi
  ensure_map_vendor
}

# MapLibre GL JS is served by our own server (never a CDN): copy it from the npm package into
# the static files that cargo-leptos puts in the site.
ensure_map_vendor() {
  local from=node_modules/maplibre-gl/dist to=public/vendor/maplibre
  mkdir -p "$to"
  for f in maplibre-gl.js maplibre-gl.css LICENSE.txt; do
    if [ ! -f "$to/$f" ] || ! cmp -s "$from/$f" "$to/$f"; then cp "$from/$f" "$to/$f"; fi
  done
}

# Chromium, and a CJK font so that screenshots show Chinese rather than empty boxes (users'
# machines have their own; the app never fetches a font from the web).
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    step "Installing Debian's Chromium and a CJK font"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk
  fi
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    step "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
}

ensure_mosquitto() {
  if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
    step "Starting Mosquitto"
    mosquitto -d -c /etc/mosquitto/mosquitto.conf
  fi
}
