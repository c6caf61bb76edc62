// Times the codename key derivation under normal node and under
// `node --jitless`, which stands in for Tor Browser at its Safer level
// (no JIT, no WebAssembly). docs/codename.md records the numbers.
//
//   node bench/kdf.mjs              both modes, the chosen parameters
//   node bench/kdf.mjs --compare    also the alternatives that were weighed
//   node bench/kdf.mjs --runs 5     more runs per line (default 3)
//
// With --child it times in the current process only (the parent spawns
// one child per mode so that each starts with a fresh heap).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { argon2id } from '@noble/hashes/argon2.js';
import { scrypt } from '@noble/hashes/scrypt.js';

import { identityToRecipient } from 'age-encryption';

import { KDF, deriveKeys, deriveMaster } from '../src/codename.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const compare = args.includes('--compare');

const codename = 'erupt-material-poncho-july-daycare-operator-revisit';
const pw = new TextEncoder().encode(codename);
const salt = new TextEncoder().encode('difesa codename v1\u0000demo');

async function time(f) {
  const ts = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await f();
    ts.push((performance.now() - start) / 1000);
  }
  ts.sort((a, b) => a - b);
  return ts;
}

async function child() {
  const identity = 'AGE-SECRET-KEY-PQ-15T20YLAJ66ZCD5NKJSL8CK4XS6E3Q7TQJCDE0PS0FSHUEQ8SA0MSK3A6SJ';
  const lines = [
    ['deriveKeys, all of it', () => deriveKeys(codename, 'demo')],
    [`  of which Argon2id t=${KDF.t} m=${KDF.m / 1024} MiB p=${KDF.p} (async, as in the pages)`, () => deriveMaster(codename, 'demo')],
    ['  of which the recipient (ML-KEM-768 + X25519 key generation)', () => identityToRecipient(identity)],
  ];
  if (compare) {
    for (const [m, t] of [[4096, 1], [8192, 1], [2048, 3], [16384, 2]]) {
      lines.push([`argon2id t=${t} m=${m / 1024} MiB`, () => argon2id(pw, salt, { t, m, p: 1, dkLen: 32 })]);
    }
    for (const logN of [12, 13, 14]) {
      lines.push([`scrypt N=2^${logN} r=8 p=1 (${2 ** logN / 1024} MiB)`, () => scrypt(pw, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32 })]);
    }
  }
  for (const [name, f] of lines) {
    const ts = await time(f);
    console.log(`  ${name.padEnd(72)} median ${ts[ts.length >> 1].toFixed(3)} s  (min ${ts[0].toFixed(3)}, max ${ts[ts.length - 1].toFixed(3)})`);
  }
}

if (args.includes('--child')) {
  await child();
} else {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${runs} runs per line`);
  const self = fileURLToPath(import.meta.url);
  for (const [label, flags] of [['node (JIT)', []], ['node --jitless (like Tor Browser, Safer)', ['--jitless', '--no-warnings']]]) {
    console.log(`${label}:`);
    const r = spawnSync(process.execPath, [...flags, self, '--child', ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
    const stderr = r.stderr.toString().replace(/^Warning: disabling flag --expose_wasm.*\n/m, '');
    if (stderr) process.stderr.write(stderr);
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
