// The committed asset must be exactly what the sources build to, so that
// what Go embeds is what was reviewed here (reproducible: pinned versions in
// package-lock.json, no timestamps, no source map).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { gunzipSync } from 'node:zlib';

import { FORM_TARGET, FORM_TARGET_GZ, TARGET, TARGET_GZ, bundle, bundleForm } from '../scripts/build.mjs';

test('internal/web/assets/app.js is what web/src builds to', async () => {
  const built = Buffer.from(await bundle());
  assert.ok(Buffer.compare(readFileSync(TARGET), built) === 0, 'run `npm run build` and commit internal/web/assets/app.js');
  assert.ok(Buffer.compare(gunzipSync(readFileSync(TARGET_GZ)), built) === 0, 'app.js.gz must decompress to app.js: run `npm run build`');
  const text = built.toString('utf8');
  assert.ok(!/WebAssembly|\beval\(|new Function\(/.test(text), 'the asset must be plain JavaScript: no WebAssembly, no eval');
});

test('internal/web/assets/form.js is what web/src builds to, and carries no second copy of app.js\'s libraries', async () => {
  const built = Buffer.from(await bundleForm());
  assert.ok(Buffer.compare(readFileSync(FORM_TARGET), built) === 0, 'run `npm run build` and commit internal/web/assets/form.js');
  assert.ok(Buffer.compare(gunzipSync(readFileSync(FORM_TARGET_GZ)), built) === 0, 'form.js.gz must decompress to form.js: run `npm run build`');
  const text = built.toString('utf8');
  assert.ok(!/WebAssembly|\beval\(|new Function\(/.test(text), 'the asset must be plain JavaScript: no WebAssembly, no eval');
  assert.ok(text.includes('globalThis.difesa.ed25519') && text.includes('globalThis.difesa.sha256'), 'form.js must use app.js\'s Ed25519 and SHA-256');
  assert.ok(!/argon2|bech32|Encrypter/.test(text), 'form.js must not carry age, the KDF or bech32: app.js has them');
  assert.ok(built.length < 40000, `form.js is ${built.length} bytes`);
});

test('the bundle\'s front-coded word list has the same words, denylist and generable words', async () => {
  const { wordlistModule } = await import('../scripts/build.mjs');
  const src = await import('../src/wordlist.js');
  const url = 'data:text/javascript;base64,' + Buffer.from(wordlistModule()).toString('base64');
  const bundled = await import(url);
  assert.deepEqual([...bundled.WORDS], [...src.WORDS]);
  assert.deepEqual([...bundled.DENIED].sort(), [...src.DENIED].sort());
  assert.deepEqual([...bundled.GENERABLE], [...src.GENERABLE]);
});
