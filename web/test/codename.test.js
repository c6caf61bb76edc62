// Checks web/src/codename.js against docs/vectors/codename.json, the vectors
// the Go package generates and checks. Run: cd web && npm ci && node --test

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Decrypter, Encrypter } from 'age-encryption';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DENIED } from '../src/wordlist.js';

import {
  CodenameError,
  KDF,
  LATIN_FOLD,
  bech32Encode,
  deriveKeys,
  deriveMaster,
  entropyBits,
  generateCodename,
  kdfSalt,
  normalizeCodename,
  parseToken,
  tokenToString,
  tokenVerifier,
} from '../src/codename.js';

const vectors = JSON.parse(readFileSync(new URL('../../docs/vectors/codename.json', import.meta.url), 'utf8'));

test('KDF parameters match the vectors', () => {
  assert.equal(vectors.kdf.algorithm, 'argon2id');
  assert.equal(vectors.kdf.version, KDF.version);
  assert.equal(vectors.kdf.time, KDF.t);
  assert.equal(vectors.kdf.memory_kib, KDF.m);
  assert.equal(vectors.kdf.parallelism, KDF.p);
  assert.equal(vectors.kdf.output_len, KDF.dkLen);
});

test('entropy is at least 88 bits', () => {
  assert.ok(entropyBits() >= 88);
  assert.ok(Math.abs(entropyBits() - 90.11) < 0.01);
});

for (const v of vectors.valid) {
  test(`valid: ${v.comment}`, async (t) => {
    await t.test('normalisation', () => {
      assert.equal(normalizeCodename(v.input), v.normalized);
      assert.equal(normalizeCodename(v.normalized), v.normalized);
    });
    await t.test('salt and Argon2id output', async () => {
      assert.equal(bytesToHex(kdfSalt(v.hub)), v.salt_hex);
      assert.equal(bytesToHex(await deriveMaster(v.normalized, v.hub)), v.master_hex);
    });
    await t.test('identity, recipient, token, verifier', async () => {
      const k = await deriveKeys(v.input, v.hub);
      assert.equal(k.codename, v.normalized);
      assert.equal(k.identity, v.identity);
      assert.equal(k.recipient, v.recipient); // computed by typage from the identity
      assert.equal(bytesToHex(k.token), v.token_hex);
      assert.equal(k.tokenString, v.token);
      assert.equal(bytesToHex(k.verifier), v.verifier_hex);
      assert.equal(bytesToHex(parseToken(v.token)), v.token_hex);
    });
  });
}

// Under `node --jitless` there is no WebAssembly, and Node's own Response
// (undici, which typage's streams use) loads its HTTP parser as WebAssembly:
// a Node quirk, not a browser one, so the round trip is skipped there.
const noWasm = typeof WebAssembly === 'undefined' && "no WebAssembly (node --jitless): Node's Response needs it";
test('typage encrypts to the recipient and the vector identity decrypts', { skip: noWasm }, async () => {
  const v = vectors.valid[0];
  const e = new Encrypter();
  e.addRecipient(v.recipient);
  const ct = await e.encrypt('we received your report');
  const d = new Decrypter();
  d.addIdentity(v.identity);
  assert.equal(await d.decrypt(ct, 'text'), 'we received your report');
});

for (const v of vectors.invalid) {
  test(`invalid: ${v.comment}`, () => {
    assert.throws(
      () => normalizeCodename(v.input),
      (err) => {
        assert.ok(err instanceof CodenameError);
        assert.equal(err.code, v.error);
        assert.equal(err.position, v.position ?? 0);
        assert.match(
          err.message,
          /^codename: (word [1-9][0-9]* is not in the list|wrong number of words: got [0-9]+, want 7|input too long: more than 512 bytes)$/,
        );
        return true;
      },
    );
  });
}

test('invalid hub ids', () => {
  for (const h of vectors.invalid_hubs) assert.throws(() => kdfSalt(h), /malformed hub id/, JSON.stringify(h));
});

test('invalid tokens', () => {
  for (const s of vectors.invalid_tokens) assert.throws(() => parseToken(s), /malformed thread token/, JSON.stringify(s));
});

test('token encoding round-trips', () => {
  for (let i = 0; i < 100; i++) {
    const tok = crypto.getRandomValues(new Uint8Array(32));
    const s = tokenToString(tok);
    assert.equal(s, Buffer.from(tok).toString('base64url'));
    assert.deepEqual(parseToken(s), tok);
  }
});

test('verifier of the zero token', () => {
  // Same constant as internal/codename/token_test.go.
  assert.equal(
    bytesToHex(tokenVerifier(new Uint8Array(32))),
    'cd8a6733b0f447f25f28ada78994d802d57abdfe53aefdc2a5845006f38dd01a',
  );
});

test('generated codenames normalise to themselves, and hold no denied word', () => {
  const seen = new Set();
  for (let i = 0; i < 2000; i++) {
    const c = generateCodename();
    assert.equal(normalizeCodename(c), c);
    for (const w of c.split('-')) assert.ok(!DENIED.has(w), `generated the denied word ${w}`);
    assert.ok(!seen.has(c));
    seen.add(c);
  }
});

test('LATIN_FOLD is NFD base letters plus the letters with a stroke', () => {
  const stroke = new Map([
    [0xd8, 'o'], [0xf8, 'o'], [0x110, 'd'], [0x111, 'd'], [0x126, 'h'], [0x127, 'h'],
    [0x131, 'i'], [0x141, 'l'], [0x142, 'l'], [0x166, 't'], [0x167, 't'],
  ]);
  let want = '';
  for (let cp = 0xc0; cp <= 0x17f; cp++) {
    const d = String.fromCodePoint(cp).normalize('NFD');
    want += stroke.get(cp) ?? (/^[A-Za-z][\u0300-\u036f]+$/.test(d) ? d[0].toLowerCase() : '_');
  }
  assert.equal(LATIN_FOLD, want);
});

test('bech32Encode matches BIP 173', () => {
  assert.equal(bech32Encode('a', new Uint8Array(0)), 'a12uel5l');
});
