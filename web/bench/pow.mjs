// Times the proof-of-work solver (src/pow.js) under normal node and under
// `node --jitless`, which stands in for Tor Browser at its Safer level (no
// JIT, no WebAssembly). docs/pow.md records the numbers.
//
//   node bench/pow.mjs                 both modes
//   node bench/pow.mjs --child         this process only (e.g. node --jitless bench/pow.mjs --child)
//   node bench/pow.mjs --solves 20     challenges solved per difficulty (default 12)
//
// The number of tries a challenge takes is geometric with mean 2^bits, so
// one solve says little: each line is the mean over several challenges,
// next to 2^bits divided by the measured hash rate (the expected time) and
// the time within which 95 % of challenges are solved (3 × that).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { sha256 } from '@noble/hashes/sha2.js';

import { enough, solve } from '../src/pow.js';

const args = process.argv.slice(2);
const solves = Number(args[args.indexOf('--solves') + 1]) || 12;
const jitless = process.execArgv.includes('--jitless');

// A challenge of the real shape; the MAC does not matter to the solver.
const challenge = (bits) =>
  `v1.demo.1795435320.${bits}.${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

function hashRate() {
  const buf = new Uint8Array(40);
  buf.set(sha256(new TextEncoder().encode(challenge(16))));
  const view = new DataView(buf.buffer);
  const n = jitless ? 100_000 : 2_000_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    view.setUint32(36, i);
    enough(sha256(buf), 16);
  }
  return n / ((performance.now() - start) / 1000);
}

async function child() {
  const rate = hashRate();
  console.log(`${jitless ? 'node --jitless' : 'node'} ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}: ${Math.round(rate).toLocaleString('en')} hashes/s`);
  console.log('bits  expected   mean of solves (n)   95 % within');
  for (const bits of [8, 12, 13, 14, 15, 16, 18]) {
    const n = bits >= 18 && jitless ? Math.min(solves, 4) : solves;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await solve(challenge(bits), () => {}, new AbortController().signal);
      total += performance.now() - start;
    }
    const expected = 2 ** bits / rate;
    console.log(`${String(bits).padStart(4)}  ${fmt(expected)}   ${fmt(total / n / 1000)} (${n})`.padEnd(37) + `  ${fmt(3 * expected)}`);
  }
}

function fmt(s) {
  return (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`).padStart(9);
}

if (args.includes('--child')) {
  await child();
} else {
  const self = fileURLToPath(import.meta.url);
  for (const flags of [[], ['--jitless']]) {
    const r = spawnSync(process.execPath, [...flags, self, '--child', ...args], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
    console.log();
  }
}
