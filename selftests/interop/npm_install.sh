#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs the npm "jose" package, pinned, once into NPM_DIR, with the
# project's tool beside it.
#
#   npm_install.sh NPM_DIR
set -eu

dir=${1:?NPM_DIR}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$dir/node_modules/jose" ]; then
	mkdir -p "$dir"
	if ! npm install --prefix "$dir" --no-audit --no-fund --silent \
		jose@5.9.6 >"$dir/npm.log" 2>&1; then
		cat "$dir/npm.log" >&2
		exit 1
	fi
fi
cp "$here/npm_jose_tool.mjs" "$dir/"
