#!/usr/bin/env bash
# Installs the real opencode and Cline CLIs that the end-to-end tests drive, into a cache folder outside the
# project tree. They cannot be devDependencies: each lists platform binaries for macOS and Windows as optional
# dependencies, which `npm ci` requires in the lock file, and a registry that serves only some platforms leaves
# them out of it. `npm install` here skips the platforms it cannot fetch.
#
# Idempotent: a finished install leaves a stamp file; a half-finished one has none and is redone.
# Usage: scripts/setup-client-clis.sh        (AGATE_CLIENT_CLIS_DIR overrides the folder)
# Prints the absolute path of the folder as its last line; the binaries are in its node_modules/.bin.
set -euo pipefail

readonly OPENCODE_VERSION=1.18.33
readonly CLINE_VERSION=3.0.65
readonly INSTALL_DIR="${AGATE_CLIENT_CLIS_DIR:-$HOME/.cache/agate/client-clis-opencode-$OPENCODE_VERSION-cline-$CLINE_VERSION}"
readonly STAMP="$INSTALL_DIR/.agate-setup-complete"

if [ ! -f "$STAMP" ]; then
  stage="$INSTALL_DIR.partial"
  rm -rf "$stage"
  mkdir -p "$stage"
  printf '{ "name": "agate-client-clis", "private": true }\n' >"$stage/package.json"
  printf '[setup-client-clis] npm install opencode-ai@%s cline@%s\n' "$OPENCODE_VERSION" "$CLINE_VERSION" >&2
  (cd "$stage" && npm install --no-audit --no-fund --loglevel=error "opencode-ai@$OPENCODE_VERSION" "cline@$CLINE_VERSION" >&2)
  rm -rf "$INSTALL_DIR"
  mv "$stage" "$INSTALL_DIR"
  touch "$STAMP"
fi
echo "$INSTALL_DIR"
