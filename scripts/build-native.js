#!/usr/bin/env node
'use strict';
/*
 * Builds the optional native SM2 addon (native/sm2) with node-gyp against the
 * headers of the running Node, whose bundled OpenSSL the addon calls. Runs as
 * the `install` script, before TypeScript is compiled, hence plain JavaScript.
 *
 * It never fails the install: when the build is impossible (no compiler, no
 * Python, no node-gyp, no headers and no network) it prints one warning and
 * exits 0, and the service uses its pure-JavaScript SM2 code instead.
 * ELICENSE_SKIP_NATIVE=1 skips the build (to try the fallback).
 */
const { spawnSync } = require('node:child_process');
const { existsSync, rmSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..');
const addonDir = join(root, 'native', 'sm2');

function warn(message) {
  console.warn(`elicense: native SM2 addon not built (${message}); SM2 will use the pure-JavaScript code.`);
}

/** node-gyp: the one npm runs scripts with, else the one bundled with npm next to this node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

/** The installation prefix when it holds this Node's headers with OpenSSL's, so node-gyp needs no download. */
function localNodeDir() {
  const prefix = join(dirname(process.execPath), '..');
  const headers = join(prefix, 'include', 'node');
  return existsSync(join(headers, 'node_api.h')) && existsSync(join(headers, 'openssl', 'evp.h')) ? prefix : undefined;
}

function main() {
  if (process.env.ELICENSE_SKIP_NATIVE === '1') {
    rmSync(join(addonDir, 'build'), { recursive: true, force: true });
    warn('ELICENSE_SKIP_NATIVE=1');
    return;
  }
  if (!existsSync(join(addonDir, 'binding.gyp'))) return; // a copy without the native sources (e.g. a container image)
  const nodeGyp = findNodeGyp();
  if (nodeGyp === undefined) {
    warn('node-gyp not found');
    return;
  }
  const args = [nodeGyp, 'rebuild', '--directory', addonDir, '--jobs', '2'];
  const nodedir = localNodeDir();
  if (nodedir !== undefined) args.push(`--nodedir=${nodedir}`);
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 300_000, env: process.env });
  if (result.status !== 0) {
    rmSync(join(addonDir, 'build'), { recursive: true, force: true });
    const output = `${result.stderr || ''}${result.stdout || ''}`.trim().split('\n').filter((line) => /error|not found|ERR!/i.test(line));
    warn(result.error ? result.error.message : output.slice(0, 2).join(' | ') || `node-gyp exited with ${result.status}`);
    return;
  }
  console.log('elicense: native SM2 addon built (native/sm2/build/Release/elicense_sm2.node).');
}

try {
  main();
} catch (error) {
  warn(error instanceof Error ? error.message : String(error));
}
process.exitCode = 0;
