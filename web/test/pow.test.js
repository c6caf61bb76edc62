// Checks web/src/pow.js against docs/vectors/pow.json, the vectors the Go
// package (internal/pow) generates and checks. Run: cd web && npm ci && node --test

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import { MAX_BITS, TooHard, ask, enough, solve, withPoW } from '../src/pow.js';
import { Cancelled } from '../src/transfer.js';

const vectors = JSON.parse(readFileSync(new URL('../../docs/vectors/pow.json', import.meta.url), 'utf8'));

const digest = (challenge, nonce) =>
  sha256(new Uint8Array([...sha256(new TextEncoder().encode(challenge)), ...hexToBytes(nonce)]));

function zeroBits(h) {
  let n = 0;
  for (const b of h) {
    if (b) return n + Math.clz32(b) - 24;
    n += 8;
  }
  return n;
}

for (const v of vectors.valid) {
  test(`valid: ${v.comment}`, async () => {
    assert.equal(bytesToHex(sha256(new TextEncoder().encode(v.challenge))), v.seed_hex);
    const h = digest(v.challenge, v.nonce);
    assert.equal(bytesToHex(h), v.digest_hex);
    assert.equal(zeroBits(h), v.zero_bits);
    assert.ok(enough(h, v.bits));
    assert.equal(enough(h, v.zero_bits + 1), false);
    assert.equal(!!v.client_refuses, v.bits > MAX_BITS);
    if (v.client_refuses) {
      // A hub may issue it; a client refuses to work on it, at once.
      let reports = 0;
      await assert.rejects(solve(v.challenge, () => reports++, new AbortController().signal), TooHard);
      assert.equal(reports, 0);
      return;
    }
    // The solver finds the smallest nonce, as the Go code does.
    assert.equal(await solve(v.challenge, () => {}, new AbortController().signal), v.nonce);
  });
}

test('solve refuses any challenge over MAX_BITS before any work', async () => {
  assert.equal(MAX_BITS, 16);
  const base = vectors.valid.at(-1).challenge;
  for (const bits of [17, 20, 32, 33, 0, NaN]) {
    const c = base.replace(/\.\d+\.([^.]+\.[^.]+)$/, `.${bits}.$1`);
    let reports = 0;
    await assert.rejects(solve(c, () => reports++, new AbortController().signal), (e) => e instanceof TooHard && /proof of work, over the 16/.test(e.message));
    assert.equal(reports, 0);
  }
});

test('invalid: the wrong solution is not enough', () => {
  const wrong = vectors.invalid.filter((v) => v.error === 'wrong_solution');
  assert.ok(wrong.length > 0);
  for (const v of wrong) {
    const [challenge, nonce] = v.proof.split(' ');
    assert.equal(enough(digest(challenge, nonce), +challenge.split('.')[3]), false);
  }
});

test('enough counts bits from the most significant', () => {
  assert.ok(enough(new Uint8Array([0x7f]), 1));
  assert.ok(!enough(new Uint8Array([0x80]), 1));
  assert.ok(enough(new Uint8Array([0x00, 0x01]), 15));
  assert.ok(!enough(new Uint8Array([0x00, 0x01]), 16));
  assert.ok(enough(new Uint8Array(32), 256));
});

test('solve reports progress, yields, and can be cancelled', async () => {
  const hard = vectors.valid.find((v) => v.bits === MAX_BITS).challenge; // 134,665 tries: over 100 reports
  const ctl = new AbortController();
  const seen = [];
  const ticker = setInterval(() => seen.length > 1 && ctl.abort(), 5);
  await assert.rejects(solve(hard, (f) => seen.push(f), ctl.signal), Cancelled);
  clearInterval(ticker);
  assert.ok(seen.length >= 2 && seen.every((f, i) => f >= 0 && f < 1 && (i === 0 || f > seen[i - 1])));
});

const quiet = [() => {}, new AbortController().signal];

test('withPoW solves the challenge asked for beforehand, then sends', async () => {
  const v = vectors.valid[1];
  const sent = [];
  const res = await withPoW(Promise.resolve(v.challenge), async (h) => (sent.push(h), { status: 201 }), ...quiet);
  assert.equal(res.status, 201);
  assert.deepEqual(sent, [{ 'Difesa-PoW': `${v.challenge} ${v.nonce}` }]);
});

test('withPoW solves a challenge from a 429 and sends again, once', async () => {
  const v = vectors.valid[1];
  const refusal = { status: 429, json: { error: { code: 'pow_required' }, pow: { challenge: v.challenge, difficulty: v.bits } } };
  const sent = [];
  const res = await withPoW(Promise.resolve(undefined), async (h) => (sent.push(h), sent.length === 1 ? refusal : { status: 201 }), ...quiet);
  assert.equal(res.status, 201);
  assert.deepEqual(sent, [{}, { 'Difesa-PoW': `${v.challenge} ${v.nonce}` }]);

  // A hub that keeps refusing gets two tries, then its answer.
  let n = 0;
  assert.equal(await withPoW(Promise.resolve(v.challenge), async () => (n++, refusal), ...quiet), refusal);
  assert.equal(n, 2);

  // Any other answer, or a 429 without a challenge, is returned as it is.
  for (const other of [{ status: 201 }, { status: 429, json: { error: { code: 'too_many_requests' } } }, { status: 413, json: null }]) {
    let m = 0;
    assert.equal(await withPoW(Promise.resolve(undefined), async () => (m++, other), ...quiet), other);
    assert.equal(m, 1);
  }
});

test('ask reads GET …/pow next to the API URL, and shrugs off failures', async () => {
  const real = globalThis.fetch;
  const asked = [];
  try {
    globalThis.fetch = async (u) => (asked.push(u), { json: async () => ({ difficulty: 13, challenge: 'v1.demo.1.13.x.y', expires_in: 120 }) });
    assert.equal(await ask('/api/v1/hubs/demo/submissions?kind=report&epoch=2'), 'v1.demo.1.13.x.y');
    assert.equal(await ask('/api/v1/hubs/ngo-2/thread/messages?epoch=1'), 'v1.demo.1.13.x.y');
    assert.deepEqual(asked, ['/api/v1/hubs/demo/pow', '/api/v1/hubs/ngo-2/pow']);
    globalThis.fetch = async () => ({ json: async () => ({ difficulty: 0 }) });
    assert.equal(await ask('/api/v1/hubs/demo/submissions'), undefined);
    globalThis.fetch = async () => {
      throw new TypeError('network');
    };
    assert.equal(await ask('/api/v1/hubs/demo/submissions'), undefined);
  } finally {
    globalThis.fetch = real;
  }
});
