// Checks web/src/form.js against docs/vectors/forms.json, the vectors
// internal/form generates and checks, bundles included (byte for byte).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { base64, parseAdminKey } from '../src/manifest.js';
import { bundleParts, concat, report } from '../src/bundle.js';
import { FormError, formBundleParts, checkAnswers, encodeAnswers, encodeSigned, hash, parseForm, parseSigned, shown, verifyForm } from '../src/form.js';

const v = JSON.parse(readFileSync(new URL('../../docs/vectors/forms.json', import.meta.url), 'utf8'));
const utf8 = new TextEncoder();
const adminKey = parseAdminKey(v.admin_public_key);
const forms = {};

test('valid forms', () => {
  for (const f of v.valid) {
    const got = verifyForm(adminKey, 'demo', '', f.signed);
    assert.equal(got.hash, f.sha256, f.name);
    assert.equal(hash(utf8.encode(f.form)), f.sha256);
    assert.equal(encodeSigned(parseSigned(f.signed)), f.signed, f.name);
    forms[f.name] = got;
  }
});

test('invalid forms', () => {
  for (const c of v.invalid) {
    const run = c.check === 'parse'
      ? () => parseForm(utf8.encode(c.form))
      : () => verifyForm(adminKey, c.hub, '', encodeSigned({ form: utf8.encode(c.form), signature: base64.decode(c.signature) }));
    assert.throws(run, (e) => e instanceof FormError && e.code === c.code, `${c.name}: want ${c.code}`);
  }
});

test('rollback and conflict', () => {
  const [v2, v1] = v.valid;
  const seen = { version: 2, hash: v2.sha256 };
  verifyForm(adminKey, 'demo', 'discrimination', v2.signed, seen);
  assert.throws(() => verifyForm(adminKey, 'demo', 'discrimination', v1.signed, seen), (e) => e.code === 'form_rollback');
  assert.throws(() => verifyForm(adminKey, 'demo', 'discrimination', v2.signed, { version: 2, hash: v1.sha256 }), (e) => e.code === 'form_conflict');
  assert.throws(() => verifyForm(parseAdminKey(v.other_admin_public_key), 'demo', '', v2.signed), (e) => e.code === 'form_unsigned');
});

test('answers and live conditions', () => {
  for (const c of v.answers) {
    const f = forms[c.form];
    const a = JSON.parse(c.answers);
    if (c.code === '') {
      checkAnswers(f.form, f.hash, a);
      assert.equal(encodeAnswers(f.form, f.hash, a.answers), c.answers + '\n', c.name);
    } else {
      assert.throws(() => checkAnswers(f.form, f.hash, a), (e) => e.code === c.code, `${c.name}: want ${c.code}`);
    }
  }
  const f = forms.discrimination_v2.form;
  assert.ok(!shown(f, { safe_now: ['yes'] }).has('danger'));
  assert.ok(shown(f, { safe_now: ['no'] }).has('danger'));
  assert.ok(!shown(f, { setting: ['work'] }).has('school_level'));
});

test('bundles are byte-identical with Go', async () => {
  for (const b of v.bundles) {
    const env = JSON.parse(b.envelope);
    const answers = JSON.parse(b.answers);
    let parts;
    if (answers.form) {
      const f = forms.discrimination_v2;
      parts = formBundleParts(env, { form: encodeSigned(f.signed) + '\n', answers: encodeAnswers(f.form, f.hash, answers.answers) }, []);
    } else {
      const r = Object.fromEntries(Object.entries(answers).map(([k, vs]) => [k, vs[0]]));
      parts = bundleParts(env, report(r), []);
    }
    assert.deepEqual(await concat(parts.parts), base64.decode(b.bundle), b.name);
  }
});
