// Codenames in the browser: the JavaScript twin of internal/codename.
//
// A defender gets a codename at their first submission and comes back with
// it, and nothing else, to read replies and add follow-ups. Everything here
// must give, byte for byte, what the Go package gives: the rules and the
// byte layouts are in docs/codename.md, and test/codename.test.js checks
// this module against docs/vectors/codename.json, which the Go tests check
// too.
//
// Pure JavaScript on purpose: Tor Browser's Safer level turns off the JIT
// and WebAssembly, and the key derivation must still finish in seconds.

import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { identityToRecipient } from 'age-encryption';

import { GENERABLE, WORDS } from './wordlist.js';

/** Number of words in a codename. */
export const WORDS_PER_CODENAME = 7;

/** Longest input, in bytes of UTF-8, that {@link normalizeCodename} reads. */
export const MAX_INPUT_LEN = 512;

/** Argon2id parameters: see docs/codename.md. Never change them in place. */
export const KDF = Object.freeze({ t: 2, m: 4096, p: 1, dkLen: 32, version: 0x13 });

const KDF_LABEL = 'difesa codename v1';
const INFO_IDENTITY = 'difesa codename v1 reply identity';
const INFO_TOKEN = 'difesa codename v1 thread token';
const VERIFIER_LABEL = 'difesa thread verifier v1';

const INDEX = new Map(WORDS.map((w, i) => [w, i]));
const utf8 = new TextEncoder();

/**
 * Why a codename was refused. `code` is "unknown_word", "word_count" or
 * "too_long" (the names in the vectors); `position` is the 1-based position
 * of the unknown word. The message never repeats the input.
 */
export class CodenameError extends Error {
  constructor(code, message, position = 0) {
    super(message);
    this.name = 'CodenameError';
    this.code = code;
    this.position = position;
  }
}

// The character rules: the same tables as internal/codename/normalize.go.

const SEPARATORS = new Set(
  '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005' +
    '\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000' +
    '-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d' +
    '._,;:/\u00b7\u2022\u30fb\u3001\u3002\uff0c\uff0e\uff3f\uff61' +
    '\'"`\u2018\u2019\u201c\u201d\u00ab\u00bb',
);

/** U+00C0..U+017F to a lowercase ASCII letter; '_' is no mapping. */
export const LATIN_FOLD =
  'aaaaaa_ceeeeiiii_nooooo_ouuuuy__aaaaaa_ceeeeiiii_nooooo_ouuuuy_y' +
  'aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkk_llllll_' +
  '_llnnnnnn___oooooo__rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz_';

function isIgnorable(cp) {
  return (
    cp === 0xad ||
    (cp >= 0x200b && cp <= 0x200d) ||
    cp === 0x2060 ||
    cp === 0xfeff ||
    (cp >= 0x300 && cp <= 0x36f)
  );
}

function fold(cp) {
  if (cp >= 0x61 && cp <= 0x7a) return String.fromCharCode(cp);
  if (cp >= 0x41 && cp <= 0x5a) return String.fromCharCode(cp + 0x20);
  if (cp >= 0xff21 && cp <= 0xff3a) return String.fromCharCode(cp - 0xff21 + 0x61);
  if (cp >= 0xff41 && cp <= 0xff5a) return String.fromCharCode(cp - 0xff41 + 0x61);
  if (cp >= 0xc0 && cp <= 0x17f && LATIN_FOLD[cp - 0xc0] !== '_') return LATIN_FOLD[cp - 0xc0];
  return null;
}

function tokenize(s) {
  const tokens = [];
  let cur = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (SEPARATORS.has(ch)) {
      if (cur) tokens.push(cur);
      cur = '';
    } else if (!isIgnorable(cp)) {
      cur += fold(cp) ?? ch;
    }
  }
  if (cur) tokens.push(cur);
  return tokens;
}

// drop-down, felt-tip, t-shirt and yo-yo come out of tokenize in two
// halves; none of the first halves is a word, so joining is unambiguous.
function joinHyphenated(tokens) {
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    let t = tokens[i];
    if (!INDEX.has(t) && i + 1 < tokens.length && INDEX.has(`${t}-${tokens[i + 1]}`)) {
      t = `${t}-${tokens[i + 1]}`;
      i++;
    }
    out.push(t);
  }
  return out;
}

/**
 * Normalises a codename as a person typed it: lowercase ASCII words joined
 * by single hyphens. Throws a {@link CodenameError}.
 * @param {string} input
 * @returns {string}
 */
export function normalizeCodename(input) {
  if (utf8.encode(input).length > MAX_INPUT_LEN) {
    throw new CodenameError('too_long', `codename: input too long: more than ${MAX_INPUT_LEN} bytes`);
  }
  const words = joinHyphenated(tokenize(input));
  words.forEach((w, i) => {
    if (!INDEX.has(w)) throw new CodenameError('unknown_word', `codename: word ${i + 1} is not in the list`, i + 1);
  });
  if (words.length !== WORDS_PER_CODENAME) {
    throw new CodenameError(
      'word_count',
      `codename: wrong number of words: got ${words.length}, want ${WORDS_PER_CODENAME}`,
    );
  }
  return words.join('-');
}

/**
 * Generates a codename with crypto.getRandomValues: seven words drawn
 * uniformly from the list less the denylist (rejection sampling over 16-bit
 * values, as in Go).
 * @returns {string} the normalised codename
 */
export function generateCodename() {
  const n = GENERABLE.length;
  const limit = Math.floor(65536 / n) * n;
  const words = [];
  const buf = new Uint16Array(1);
  while (words.length < WORDS_PER_CODENAME) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) words.push(GENERABLE[buf[0] % n]);
  }
  return words.join('-');
}

/** Bits of entropy of a generated codename (about 90.1). */
export function entropyBits() {
  return WORDS_PER_CODENAME * Math.log2(GENERABLE.length);
}

const HUB_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * The Argon2id salt: "difesa codename v1" || 0x00 || hub id.
 * @param {string} hubId
 */
export function kdfSalt(hubId) {
  if (!HUB_ID.test(hubId)) throw new Error('codename: malformed hub id');
  return utf8.encode(`${KDF_LABEL}\u0000${hubId}`);
}

/**
 * The memory-hard step: Argon2id of the normalised codename.
 * @param {string} normalized output of {@link normalizeCodename}
 * @param {string} hubId
 * @param {{onProgress?: (fraction: number) => void}} [opts]
 * @returns {Promise<Uint8Array>} 32 bytes
 */
export function deriveMaster(normalized, hubId, opts = {}) {
  return argon2idAsync(utf8.encode(normalized), kdfSalt(hubId), {
    ...KDF,
    asyncTick: 20,
    onProgress: opts.onProgress,
  });
}

/**
 * Derives the keys of a codename at a hub, as Go's codename.Derive.
 * @param {string} codename as typed; it is normalised first
 * @param {string} hubId
 * @param {{onProgress?: (fraction: number) => void}} [opts]
 * @returns {Promise<{codename: string, identity: string, recipient: string,
 *   token: Uint8Array, tokenString: string, verifier: Uint8Array}>}
 */
export async function deriveKeys(codename, hubId, opts = {}) {
  const normalized = normalizeCodename(codename);
  const master = await deriveMaster(normalized, hubId, opts);
  const seed = hkdf(sha256, master, undefined, utf8.encode(INFO_IDENTITY), 32);
  const token = hkdf(sha256, master, undefined, utf8.encode(INFO_TOKEN), 32);
  const identity = bech32Encode('age-secret-key-pq-', seed).toUpperCase();
  const recipient = await identityToRecipient(identity);
  master.fill(0);
  seed.fill(0);
  return { codename: normalized, identity, recipient, token, tokenString: tokenToString(token), verifier: tokenVerifier(token) };
}

/**
 * SHA-256("difesa thread verifier v1" || token): what the hub stores.
 * @param {Uint8Array} token 32 bytes
 */
export function tokenVerifier(token) {
  if (token.length !== 32) throw new Error('codename: a thread token is 32 bytes');
  const label = utf8.encode(VERIFIER_LABEL);
  const msg = new Uint8Array(label.length + 32);
  msg.set(label);
  msg.set(token, label.length);
  return sha256(msg);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Unpadded base64url of a 32-byte token (43 characters).
 * @param {Uint8Array} token
 */
export function tokenToString(token) {
  if (token.length !== 32) throw new Error('codename: a thread token is 32 bytes');
  let s = '';
  for (let i = 0; i < 33; i += 3) {
    const n = (token[i] << 16) | ((token[i + 1] ?? 0) << 8) | (token[i + 2] ?? 0);
    s += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
  }
  return s.slice(0, 43);
}

/**
 * Parses a token written by {@link tokenToString}; only the canonical form
 * is accepted, as in Go's ParseToken.
 * @param {string} s
 * @returns {Uint8Array}
 */
export function parseToken(s) {
  if (!/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(s)) throw new Error('codename: malformed thread token');
  const out = new Uint8Array(33);
  for (let i = 0, o = 0; i < 44; i += 4, o += 3) {
    const n =
      (B64URL.indexOf(s[i]) << 18) |
      (B64URL.indexOf(s[i + 1]) << 12) |
      (B64URL.indexOf(s[i + 2]) << 6) |
      (i + 3 < 43 ? B64URL.indexOf(s[i + 3]) : 0);
    out[o] = n >> 16;
    out[o + 1] = (n >> 8) & 255;
    out[o + 2] = n & 255;
  }
  return out.slice(0, 32);
}

// Bech32 (BIP 173) encoding, as age writes keys; see
// internal/codename/bech32.go.

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values) {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ gen[i]) >>> 0;
  }
  return chk;
}

/**
 * @param {string} hrp lowercase
 * @param {Uint8Array} data
 */
export function bech32Encode(hrp, data) {
  const values = [];
  let acc = 0;
  let bits = 0;
  for (const d of data) {
    acc = ((acc << 8) | d) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) values.push((acc << (5 - bits)) & 31);
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  const mod =
    bech32Polymod([...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31), ...values, 0, 0, 0, 0, 0, 0]) ^ 1;
  let s = `${hrp}1`;
  for (const v of values) s += BECH32[v];
  for (let i = 0; i < 6; i++) s += BECH32[(mod >>> (5 * (5 - i))) & 31];
  return s;
}
