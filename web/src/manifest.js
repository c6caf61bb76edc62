// Signed recipient manifests in the browser: the JavaScript twin of
// internal/manifest (docs/manifest.md). The page encrypts only to the
// recipients of a manifest that the hub's admin key signed; it verifies
// the signature first, then parses strictly and canonically, as Go does.
// test/manifest.test.js checks this module against docs/vectors/manifest.json.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';

export const HEADER = 'difesa-manifest/v1';
export const MAX_MANIFEST = 65536;
const MAX_TRANSPORT = 131072;
const ADMIN_PREFIX = 'difesa-admin-ed25519:';
const utf8 = new TextEncoder();

/** Why a manifest was refused: `kind` is one of the vector error kinds. */
export class ManifestError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'ManifestError';
    this.kind = kind;
  }
}

const malformed = (m) => new ManifestError('malformed', `manifest: ${m}`);

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function b64encode(bytes, alphabet, pad) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chunk = alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
    const left = bytes.length - i;
    s += left >= 3 ? chunk : chunk.slice(0, left + 1) + (pad ? '='.repeat(3 - left) : '');
  }
  return s;
}

function b64decode(s, alphabet, pad) {
  if (pad ? s.length % 4 !== 0 : s.length % 4 === 1) return null;
  const body = pad ? s.replace(/={1,2}$/, '') : s;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const c of body) {
    const v = alphabet.indexOf(c);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  // Canonical: re-encoding must give the same text (zero unused bits).
  return b64encode(out, alphabet, pad) === s ? out : null;
}

/** Standard padded base64, as the transport form uses. */
export const base64 = {
  encode: (b) => b64encode(b, B64STD, true),
  decode: (s) => b64decode(s, B64STD, true),
};

/**
 * Parses an admin public key (difesa-admin-ed25519:…) into 32 bytes.
 * @param {string} s
 */
export function parseAdminKey(s) {
  if (typeof s !== 'string' || !s.startsWith(ADMIN_PREFIX)) throw malformed('not an admin public key');
  const b = b64decode(s.slice(ADMIN_PREFIX.length), B64URL, false);
  if (!b || b.length !== 32) throw malformed('not an admin public key');
  return b;
}

/**
 * The fingerprint people compare: first 20 bytes of SHA-256 of the key,
 * lowercase hex, in ten groups of four.
 * @param {Uint8Array} key 32 bytes
 */
export function fingerprint(key) {
  const hex = [...sha256(key).subarray(0, 20)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return hex.match(/.{4}/g).join(' ');
}

export function hexOf(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Reads the transport form strictly: one object with exactly the members
 * "manifest" and "signature", once each, string values in padded standard
 * base64; JSON.parse alone would let a duplicate member win.
 * @param {string} text
 * @returns {{manifest: Uint8Array, signature: Uint8Array}}
 */
export function parseSigned(text) {
  if (typeof text !== 'string' || utf8.encode(text).length > MAX_TRANSPORT) throw malformed('transport form too large');
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const expect = (c) => {
    ws();
    if (text[i] !== c) throw malformed('malformed transport form');
    i++;
  };
  const str = () => {
    ws();
    const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(text.slice(i));
    if (!m) throw malformed('malformed transport form');
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  const got = {};
  expect('{');
  for (let n = 0; n < 2; n++) {
    if (n > 0) expect(',');
    const k = str();
    expect(':');
    const v = str();
    if ((k !== 'manifest' && k !== 'signature') || k in got) throw malformed('malformed transport form');
    got[k] = v;
  }
  expect('}');
  ws();
  if (i !== text.length) throw malformed('data after the transport form');
  const manifest = base64.decode(got.manifest);
  const signature = base64.decode(got.signature);
  if (!manifest || manifest.length === 0 || manifest.length > MAX_MANIFEST) throw malformed('bad manifest encoding');
  if (!signature || signature.length !== 64) throw malformed('bad signature encoding');
  return { manifest, signature };
}

const HUB_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;
const LABEL_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}](?:[\p{L}\p{M}\p{N}\p{P}\p{S}]| (?! ))*$/u;

function validDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toISOString().slice(0, 10) === s;
}

function recipientKind(key) {
  let dec;
  try {
    dec = bech32.decode(key, false);
  } catch {
    return '';
  }
  if (dec.prefix === 'age1pq' && key.startsWith('age1pq1') && bech32.fromWords(dec.words).length === 1216) return 'pq';
  if (dec.prefix === 'age' && bech32.fromWords(dec.words).length === 32) return 'classic';
  return '';
}

/**
 * Parses manifest bytes with the grammar of docs/manifest.md; refuses
 * anything whose re-encoding differs.
 * @param {Uint8Array} bytes
 * @returns {{hub: string, epoch: bigint, issued: string, previous: string|null,
 *   recipients: {key: string, role: string, label: string}[]}}
 */
export function parseManifest(bytes) {
  if (bytes.length === 0 || bytes.length > MAX_MANIFEST) throw malformed('size');
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw malformed('not UTF-8');
  }
  if (/age-secret-key-|difesa-admin-secret-key-/i.test(text)) throw malformed('holds something shaped like a secret key');
  if (!text.endsWith('\n')) throw malformed('no final line feed');
  const lines = text.slice(0, -1).split('\n');
  const field = (i, name) => {
    const p = `${name}: `;
    if (!lines[i]?.startsWith(p)) throw malformed(`line ${i + 1} is not ${name}`);
    return lines[i].slice(p.length);
  };
  if (lines[0] !== HEADER) throw malformed('unknown header');
  const hub = field(1, 'hub');
  if (!HUB_RE.test(hub)) throw malformed('hub id');
  const epochText = field(2, 'epoch');
  if (!/^[1-9][0-9]*$/.test(epochText) || BigInt(epochText) > 18446744073709551615n) throw malformed('epoch');
  const epoch = BigInt(epochText);
  const issued = field(3, 'issued');
  if (!validDate(issued)) throw malformed('issued date');
  const prevText = field(4, 'previous');
  let previous = null;
  if (prevText !== 'none') {
    if (!/^[0-9a-f]{64}$/.test(prevText)) throw malformed('previous hash');
    previous = prevText;
  }
  if ((previous === null) !== (epoch === 1n)) throw malformed('previous is none exactly at epoch 1');
  const recipients = [];
  const seen = new Set();
  const kinds = new Set();
  for (let i = 5; i < lines.length; i++) {
    const m = /^recipient: (\S+) (responder|admin)(?: (.+))?$/u.exec(lines[i]);
    if (!m) throw malformed(`line ${i + 1}`);
    const [, key, role, label = ''] = m;
    const kind = recipientKind(key);
    if (!kind || key !== key.toLowerCase()) throw malformed(`line ${i + 1}: not an age recipient`);
    if (seen.has(key)) throw malformed('a recipient is listed twice');
    if (label && (!LABEL_RE.test(label) || [...label].length > 64)) throw malformed(`line ${i + 1}: label`);
    seen.add(key);
    kinds.add(kind);
    recipients.push({ key, role, label });
  }
  if (recipients.length < 1 || recipients.length > 64) throw malformed('1 to 64 recipients');
  if (kinds.size !== 1) throw malformed('mixes post-quantum and classic recipients');
  const m = { hub, epoch, issued, previous, recipients };
  if (encodeManifest(m) !== text) throw malformed('not in canonical form');
  return m;
}

/** The canonical text of a parsed manifest. */
export function encodeManifest(m) {
  let s = `${HEADER}\nhub: ${m.hub}\nepoch: ${m.epoch}\nissued: ${m.issued}\nprevious: ${m.previous ?? 'none'}\n`;
  for (const r of m.recipients) s += `recipient: ${r.key} ${r.role}${r.label ? ' ' + r.label : ''}\n`;
  return s;
}

function verified(adminKey, manifest, signature) {
  let ok = false;
  try {
    ok = ed25519.verify(signature, manifest, adminKey, { zip215: false });
  } catch {
    ok = false;
  }
  if (!ok) throw new ManifestError('bad_signature', 'manifest: not signed by the admin key');
  return parseManifest(manifest);
}

/**
 * CheckFirst: the signature verifies, the hub is the one asked for, and the
 * epoch is 1.
 */
export function checkFirst(adminKey, hub, manifest, signature) {
  const m = verified(adminKey, manifest, signature);
  if (m.hub !== hub) throw new ManifestError('wrong_hub', 'manifest: signed for another hub');
  if (m.epoch !== 1n) throw new ManifestError('epoch', 'manifest: a chain starts at epoch 1');
  return m;
}

/**
 * CheckSuccessor: signature, same hub, exactly the next epoch, and the
 * previous hash of the known manifest's bytes.
 */
export function checkSuccessor(adminKey, known, knownBytes, manifest, signature) {
  const m = verified(adminKey, manifest, signature);
  if (m.hub !== known.hub) throw new ManifestError('wrong_hub', 'manifest: signed for another hub');
  if (m.epoch !== known.epoch + 1n) throw new ManifestError('epoch', 'manifest: not the next epoch');
  if (m.previous !== hexOf(sha256(knownBytes))) throw new ManifestError('chain', 'manifest: does not follow the known manifest');
  return m;
}

/**
 * What a page does before encrypting: verify the hub's current signed
 * manifest (transport JSON text) under the admin key the hub announces, for
 * this hub and the announced epoch. The page has no memory between visits,
 * so it cannot follow the chain as the CLI does: it shows the fingerprint
 * for the defender to compare out of band.
 * @param {{adminKey: string, hub: string, epoch: number}} info from GET /api/v1/hubs/ID
 * @param {string} signedText GET /hubs/ID/manifest.json
 */
export function verifyCurrent(info, signedText) {
  return checkCurrent(info, parseSigned(signedText));
}

/**
 * verifyCurrent for the form the pages embed (#hubdata): the manifest as
 * text, which gzip shrinks by about a third more than its base64, and the
 * signature in base64. The bytes checked are the text's UTF-8, so a page
 * that altered the text fails the signature like any other change.
 * @param {{adminKey: string, hub: string, epoch: number}} info
 * @param {string} text the manifest
 * @param {string} signature padded standard base64
 */
export function verifyEmbedded(info, text, signature) {
  const manifest = typeof text === 'string' ? utf8.encode(text) : null;
  const sig = typeof signature === 'string' ? base64.decode(signature) : null;
  if (!manifest || manifest.length === 0 || manifest.length > MAX_MANIFEST) throw malformed('bad manifest encoding');
  if (!sig || sig.length !== 64) throw malformed('bad signature encoding');
  return checkCurrent(info, { manifest, signature: sig });
}

function checkCurrent(info, { manifest, signature }) {
  const key = parseAdminKey(info.adminKey);
  const m = verified(key, manifest, signature);
  if (m.hub !== info.hub) throw new ManifestError('wrong_hub', 'manifest: signed for another hub');
  if (info.epoch !== undefined && m.epoch !== BigInt(info.epoch)) throw new ManifestError('epoch', 'manifest: not the hub\'s current epoch');
  return { ...m, fingerprint: fingerprint(key) };
}
