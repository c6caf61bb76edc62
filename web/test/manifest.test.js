// Checks web/src/manifest.js against docs/vectors/manifest.json, the vectors
// internal/manifest generates and checks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ManifestError, base64, checkFirst, checkSuccessor, fingerprint, parseAdminKey, parseManifest, parseSigned, verifyCurrent, verifyEmbedded } from '../src/manifest.js';

const v = JSON.parse(readFileSync(new URL('../../docs/vectors/manifest.json', import.meta.url), 'utf8'));
const utf8 = new TextEncoder();
const valid = Object.fromEntries(v.valid.map((m) => [m.name, m]));
const adminKey = parseAdminKey(v.admin.public_key);

test('admin key and fingerprint', () => {
  assert.equal(fingerprint(adminKey), v.admin.fingerprint);
  parseAdminKey(v.other_admin_public_key);
  for (const bad of v.invalid_public_keys) assert.throws(() => parseAdminKey(bad.public_key), ManifestError, bad.name);
});

test('valid manifests', () => {
  for (const m of v.valid) {
    const signed = parseSigned(m.signed);
    assert.deepEqual(signed.manifest, utf8.encode(m.manifest), m.name);
    assert.equal(base64.encode(signed.signature), m.signature);
    const got = m.after
      ? checkSuccessor(adminKey, parseManifest(utf8.encode(valid[m.after].manifest)), utf8.encode(valid[m.after].manifest), signed.manifest, signed.signature)
      : checkFirst(adminKey, m.parsed.hub, signed.manifest, signed.signature);
    assert.deepEqual(
      { ...got, epoch: Number(got.epoch), recipients: got.recipients.map((r) => ({ ...r, label: r.label || undefined })) },
      { ...m.parsed, recipients: m.parsed.recipients.map((r) => ({ ...r, label: r.label || undefined })) },
      m.name,
    );
    const cur = verifyCurrent({ adminKey: v.admin.public_key, hub: m.parsed.hub, epoch: m.parsed.epoch }, m.signed);
    assert.equal(cur.fingerprint, v.admin.fingerprint);
    const emb = verifyEmbedded({ adminKey: v.admin.public_key, hub: m.parsed.hub, epoch: m.parsed.epoch }, m.manifest, m.signature);
    assert.deepEqual(emb, cur, `${m.name}: the embedded form checks the same`);
  }
});

test('invalid manifests', () => {
  for (const c of v.invalid) {
    const bytes = c.manifest_base64 ? base64.decode(c.manifest_base64) : c.manifest !== undefined ? utf8.encode(c.manifest) : null;
    const run = {
      parse: () => parseManifest(bytes),
      first: () => checkFirst(adminKey, c.hub, bytes, base64.decode(c.signature)),
      successor: () => {
        const a = utf8.encode(valid[c.after].manifest);
        return checkSuccessor(adminKey, parseManifest(a), a, bytes, base64.decode(c.signature));
      },
      transport: () => parseSigned(c.json),
    }[c.check];
    assert.ok(run, `unknown check ${c.check}`);
    assert.throws(run, (e) => e instanceof ManifestError && e.kind === c.error, `${c.name}: want ${c.error}`);
  }
});

test('a manifest for another epoch than the hub announces is refused', () => {
  const m = valid.epoch1;
  assert.throws(() => verifyCurrent({ adminKey: v.admin.public_key, hub: 'it', epoch: 2 }, m.signed), (e) => e.kind === 'epoch');
  assert.throws(() => verifyCurrent({ adminKey: v.other_admin_public_key, hub: 'it', epoch: 1 }, m.signed), (e) => e.kind === 'bad_signature');
});

test('the embedded form (#hubdata) is checked as strictly as the transport form', () => {
  const m = valid.epoch1;
  const info = { adminKey: v.admin.public_key, hub: 'it', epoch: 1 };
  const refused = [
    ['a changed text', m.manifest.replace('epoch: 1', 'epoch: 1 '), m.signature, 'bad_signature'],
    ['another admin key', m.manifest, m.signature, 'bad_signature', { ...info, adminKey: v.other_admin_public_key }],
    ['another epoch', m.manifest, m.signature, 'epoch', { ...info, epoch: 2 }],
    ['another hub', m.manifest, m.signature, 'wrong_hub', { ...info, hub: 'pl' }],
    ['no text', undefined, m.signature, 'malformed'],
    ['an empty text', '', m.signature, 'malformed'],
    ['no signature', m.manifest, undefined, 'malformed'],
    ['a short signature', m.manifest, base64.encode(new Uint8Array(63)), 'malformed'],
    ['a signature in base64url', m.manifest, m.signature.replace(/\+/g, '-').replace(/\//g, '_') + '-', 'malformed'],
  ];
  for (const [name, text, sig, kind, i] of refused) {
    assert.throws(() => verifyEmbedded(i ?? info, text, sig), (e) => e instanceof ManifestError && e.kind === kind, name);
  }
});
