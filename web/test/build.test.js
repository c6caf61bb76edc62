// The committed asset must be exactly what the sources build to, so that
// what Go embeds is what was reviewed here (reproducible: pinned versions in
// package-lock.json, no timestamps, no source map).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { gunzipSync } from 'node:zlib';

import { TARGET, TARGET_GZ, bundle } from '../scripts/build.mjs';

test('internal/web/assets/app.js is what web/src builds to', async () => {
  const built = Buffer.from(await bundle());
  assert.ok(Buffer.compare(readFileSync(TARGET), built) === 0, 'run `npm run build` and commit internal/web/assets/app.js');
  assert.ok(Buffer.compare(gunzipSync(readFileSync(TARGET_GZ)), built) === 0, 'app.js.gz must decompress to app.js: run `npm run build`');
  const text = built.toString('utf8');
  assert.ok(!/WebAssembly|\beval\(|new Function\(/.test(text), 'the asset must be plain JavaScript: no WebAssembly, no eval');
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
