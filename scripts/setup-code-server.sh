#!/usr/bin/env bash
# Installs what the VS Code extension-host tests need on a machine that cannot download VS Code:
# code-server (a full VS Code server with a Node extension host, shipped on npm) into a cache folder
# outside the project tree, and Debian's chromium to drive its web UI (test/vscode/run-in-code-server.ts).
#
# Idempotent: a finished install leaves a stamp file, and a run that finds it (and the Debian packages)
# only prints where code-server is. A half-finished install has no stamp and is redone from scratch.
#
# Usage: scripts/setup-code-server.sh          (AGATE_CODE_SERVER_DIR overrides the install folder)
# Prints the absolute path of the code-server entry script as its last line.
set -euo pipefail

readonly CODE_SERVER_VERSION=4.100.3
readonly INSTALL_DIR="${AGATE_CODE_SERVER_DIR:-$HOME/.cache/agate/code-server-$CODE_SERVER_VERSION}"
readonly STAMP="$INSTALL_DIR/.agate-setup-complete"
readonly PACKAGE_DIR="$INSTALL_DIR/node_modules/code-server"
readonly ENTRY="$PACKAGE_DIR/out/node/entry.js"
# libkrb5-dev: headers for the `kerberos` native module of VS Code's server.
# ripgrep: stands in for @vscode/ripgrep's binary, which its postinstall downloads from GitHub.
# chromium: the browser that loads the workbench (playwright cannot download its own here).
# fonts-wqy-zenhei: CJK glyphs, so the Chinese dashboard and workbench render (and measure) as users see them.
# redis-server: the team-mode tests start their own (test/helpers/redis-server.ts); not part of code-server's needs,
# but installed here so CI has one place that installs Debian packages.
readonly APT_PACKAGES=(libkrb5-dev ripgrep chromium fonts-wqy-zenhei redis-server)

log() { printf '[setup-code-server] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then return; fi
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Replays code-server's postinstall.sh (package/postinstall.sh) with the two steps that would download
# prebuilt binaries replaced: ripgrep comes from Debian, native modules are compiled locally.
install_code_server() {
  local stage="$INSTALL_DIR.partial"
  rm -rf "$stage"
  mkdir -p "$stage"
  printf '{ "name": "agate-code-server-cache", "private": true }\n' >"$stage/package.json"

  log "npm install code-server@$CODE_SERVER_VERSION (scripts skipped)"
  npm install --prefix "$stage" --ignore-scripts --omit=dev --no-audit --no-fund \
    "code-server@$CODE_SERVER_VERSION" >&2

  # argon2's install script asks node-pre-gyp for a prebuilt binary first; build from source instead.
  log "building argon2"
  (cd "$stage" && npm_config_build_from_source=true npm rebuild argon2 >&2)

  local vscode="$stage/node_modules/code-server/lib/vscode"
  log "npm install lib/vscode (scripts skipped)"
  (cd "$vscode" && npm install --ignore-scripts --omit=dev --no-audit --no-fund >&2)

  # @vscode/ripgrep's postinstall skips its download when bin/ exists (lib/postinstall.js).
  mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
  ln -sf "$(command -v rg)" "$vscode/node_modules/@vscode/ripgrep/bin/rg"

  # node-pty's build runs `npx node-gyp`, which would stop to ask before installing node-gyp.
  log "building lib/vscode native modules"
  (cd "$vscode" && npm_config_yes=true npm rebuild >&2)

  # The remaining steps of postinstall.sh's vscode_install().
  ln -sfn node_modules "$vscode/node_modules.asar"
  ln -sfn code-linux.sh "$vscode/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$vscode/bin/helpers/browser.sh"
  log "npm install lib/vscode/extensions"
  (cd "$vscode/extensions" && npm install --omit=dev --no-audit --no-fund >&2)

  rm -rf "$INSTALL_DIR"
  mv "$stage" "$INSTALL_DIR"
}

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Starts the installed server once and waits for its health endpoint, so a broken native module or a
# missing file fails here rather than in the middle of a test run.
verify_code_server_starts() {
  local port data pid
  port="$(free_port)"
  data="$(mktemp -d)"
  # XDG_DATA_HOME and --config keep code-server's logs and default config out of the user's home.
  XDG_DATA_HOME="$data/xdg-data" node "$ENTRY" --auth none --bind-addr "127.0.0.1:$port" \
    --disable-telemetry --disable-update-check --config "$data/config.yaml" \
    --user-data-dir "$data/user" --extensions-dir "$data/extensions" "$data" >"$data/server.log" 2>&1 &
  pid=$!
  local deadline=$((SECONDS + 120))
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      kill "$pid" 2>/dev/null || true
      log "code-server did not start; its output:"
      cat "$data/server.log" >&2
      rm -rf "$data"
      return 1
    fi
    sleep 0.5
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  log "code-server $CODE_SERVER_VERSION starts and answers /healthz"
}

main() {
  install_debian_packages
  mkdir -p "$(dirname "$INSTALL_DIR")"
  # Two setups at once (say, two CI jobs sharing a cache) must not interleave their installs.
  exec 9>"$INSTALL_DIR.lock"
  flock 9
  if [ ! -f "$STAMP" ]; then
    install_code_server
    verify_code_server_starts
    printf '%s\n' "$CODE_SERVER_VERSION" >"$STAMP"
  fi
  log "code-server $CODE_SERVER_VERSION is installed in $INSTALL_DIR"
  printf '%s\n' "$ENTRY"
}

main "$@"
