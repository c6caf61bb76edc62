// Hub forms in the browser: the JavaScript twin of internal/form
// (docs/forms.md). A page shows a form only if the hub's admin key signed
// its canonical bytes, for this hub, and it is not older than a version
// already seen; the answers name the form's id, version and hash.
// test/form.test.js checks this module against docs/vectors/forms.json.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

import { BundleError, LIMITS as BUNDLE_LIMITS, checkName, goJSON, padme, tarHeader } from './bundle.js';
import { base64, hexOf } from './manifest.js';

export const FORMAT = 'difesa-form/v1';
export const LIMITS = Object.freeze({
  size: 256 << 10, fields: 100, choices: 100, languages: 16, conditionValues: 32,
  version: Number.MAX_SAFE_INTEGER, title: 200, label: 500, help: 2000,
  shortText: 1000, longText: 512 << 10, answers: 1 << 20, files: 100, number: 32,
});
const TYPES = ['short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'number', 'date', 'place', 'files'];
const utf8 = new TextEncoder();

/** A refusal; `code` is the stable code of internal/wire (form_invalid…). */
export class FormError extends Error {
  constructor(code, message) {
    super(`form: ${message}`);
    this.name = 'FormError';
    this.code = code;
  }
}
const invalid = (m) => new FormError('form_invalid', m);
const tooLarge = (m) => new FormError('form_too_large', m);
const badCondition = (m) => new FormError('form_bad_condition', m);
const badAnswers = (m) => new FormError('answers_invalid', m);

const HUB_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;
const FORM_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FIELD_RE = /^[a-z][a-z0-9_]{0,63}$/;
const CHOICE_RE = /^[a-z0-9_]{1,64}$/;
const CODE_RE = /^[A-Za-z0-9_.:\/-]{1,64}$/;
const LANG_RE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols, U+0020.
const PRINT_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;
const PRINT_NL_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} \n]*$/u;
const SECRET_RE = /AGE-SECRET-KEY-|DIFESA-ADMIN-SECRET-KEY-/i;
const len = (s) => [...s].length;

/**
 * Reads the signed transport form {"form":B64,"signature":B64} strictly:
 * exactly these members, once each, canonical padded base64.
 * @param {string} text
 */
export function parseSigned(text) {
  if (typeof text !== 'string' || utf8.encode(text).length > 2 * LIMITS.size + 1024) throw tooLarge('signed form too large');
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    throw invalid('signed form: invalid JSON');
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw invalid('signed form is not an object');
  const keys = Object.keys(obj);
  if (keys.length !== 2 || typeof obj.form !== 'string' || typeof obj.signature !== 'string') throw invalid('signed form needs exactly form and signature');
  // A duplicate member: JSON.parse lets the last win, so count names.
  const names = text.match(/"(form|signature)"\s*:/g) ?? [];
  if (names.length !== 2) throw invalid('signed form: a member appears twice');
  const form = base64.decode(obj.form);
  const signature = base64.decode(obj.signature);
  if (!form || form.length === 0) throw invalid('signed form: form is not canonical base64');
  if (form.length > LIMITS.size) throw tooLarge('the form is too large');
  if (!signature || signature.length !== 64) throw invalid('signed form: bad signature');
  return { form, signature };
}

/** The transport form Go writes (json.Marshal of wire.SignedForm). */
export function encodeSigned(s) {
  return `{"form":"${base64.encode(s.form)}","signature":"${base64.encode(s.signature)}"}`;
}

/** Hex SHA-256 of a form's signed bytes. */
export const hash = (bytes) => hexOf(sha256(bytes));

function text(f, where, t, max, required, multiline) {
  if (t === undefined) {
    if (required) throw invalid(`${where}: missing`);
    return undefined;
  }
  if (!t || typeof t !== 'object' || Array.isArray(t)) throw invalid(`${where}: not a text`);
  if (required && !t[f.languages[0]]) throw invalid(`${where}: missing in ${f.languages[0]}, the form's first language`);
  const out = {};
  for (const lang of Object.keys(t).sort()) {
    const s = t[lang];
    if (!f.languages.includes(lang)) throw invalid(`${where}: language ${lang} is not one of the form's`);
    if (typeof s !== 'string' || s === '') throw invalid(`${where}: empty text in ${lang}`);
    if (len(s) > max) throw tooLarge(`${where} in ${lang}: more than ${max} characters`);
    if (!(multiline ? PRINT_NL_RE : PRINT_RE).test(s) || SECRET_RE.test(s)) throw invalid(`${where} in ${lang}: a character is not allowed`);
    out[lang] = s;
  }
  return out;
}

function only(obj, where, allowed) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw invalid(`${where}: not an object`);
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw invalid(`${where}: unknown member ${k}`);
}

/**
 * Checks a decoded form and returns it in canonical member order (the
 * object whose JSON.stringify is the canonical encoding).
 */
export function canonical(f) {
  only(f, 'form', ['format', 'hub', 'id', 'version', 'languages', 'title', 'help', 'fields']);
  if (f.format !== FORMAT) throw invalid('unknown format');
  if (typeof f.hub !== 'string' || !HUB_RE.test(f.hub)) throw invalid('bad hub');
  if (typeof f.id !== 'string' || !FORM_RE.test(f.id)) throw invalid('bad id');
  if (!Number.isSafeInteger(f.version) || f.version < 1) throw invalid('bad version');
  if (!Array.isArray(f.languages) || f.languages.length === 0) throw invalid('no languages');
  if (f.languages.length > LIMITS.languages) throw tooLarge('too many languages');
  if (new Set(f.languages).size !== f.languages.length || !f.languages.every((l) => typeof l === 'string' && l.length <= 35 && LANG_RE.test(l))) throw invalid('bad languages');
  const out = { format: f.format, hub: f.hub, id: f.id, version: f.version, languages: [...f.languages], title: text(f, 'title', f.title, LIMITS.title, true, false) };
  const help = text(f, 'help', f.help, LIMITS.help, false, true);
  if (help && Object.keys(help).length) out.help = help;
  if (!Array.isArray(f.fields) || f.fields.length === 0) throw invalid('no fields');
  if (f.fields.length > LIMITS.fields) throw tooLarge('too many fields');
  out.fields = [];
  const seen = new Map();
  for (const fl of f.fields) {
    only(fl, 'field', ['id', 'type', 'required', 'label', 'help', 'code', 'choices', 'show_if', 'max_length']);
    if (typeof fl.id !== 'string' || !FIELD_RE.test(fl.id)) throw invalid('bad field id');
    const where = `field ${fl.id}`;
    if (!TYPES.includes(fl.type)) throw invalid(`${where}: unknown type`);
    const o = { id: fl.id, type: fl.type };
    if (fl.required !== undefined) {
      if (fl.required !== true) throw invalid(`${where}: required is true or absent`);
      o.required = true;
    }
    o.label = text(f, `${where}: label`, fl.label, LIMITS.label, true, false);
    const fh = text(f, `${where}: help`, fl.help, LIMITS.help, false, true);
    if (fh && Object.keys(fh).length) o.help = fh;
    if (fl.code !== undefined) {
      if (typeof fl.code !== 'string' || !CODE_RE.test(fl.code)) throw invalid(`${where}: bad code`);
      o.code = fl.code;
    }
    const hasChoices = fl.type === 'single_choice' || fl.type === 'multiple_choice';
    if (fl.choices !== undefined || hasChoices) {
      if (!hasChoices) throw invalid(`${where}: no choices for this type`);
      if (!Array.isArray(fl.choices) || fl.choices.length === 0) throw invalid(`${where}: no choices`);
      if (fl.choices.length > LIMITS.choices) throw tooLarge(`${where}: too many choices`);
      const ids = new Set();
      o.choices = fl.choices.map((c) => {
        only(c, `${where}: choice`, ['id', 'label', 'code']);
        if (typeof c.id !== 'string' || !CHOICE_RE.test(c.id) || ids.has(c.id)) throw invalid(`${where}: bad or repeated choice id`);
        ids.add(c.id);
        const co = { id: c.id, label: text(f, `${where}: choice ${c.id}`, c.label, LIMITS.label, true, false) };
        if (c.code !== undefined) {
          if (typeof c.code !== 'string' || !CODE_RE.test(c.code)) throw invalid(`${where}: bad code`);
          co.code = c.code;
        }
        return co;
      });
    }
    if (fl.show_if !== undefined) {
      const c = fl.show_if;
      only(c, `${where}: show_if`, ['field', 'values']);
      if (c.field === fl.id) throw badCondition(`${where}: the condition refers to the field itself`);
      const on = seen.get(c.field);
      if (!on) {
        const later = f.fields.some((x) => x && x.id === c.field);
        throw badCondition(`${where}: the condition refers to ${later ? 'a later field' : 'no field'}`);
      }
      const allowed = on.type === 'yes_no' ? ['yes', 'no'] : (on.choices ?? []).map((x) => x.id);
      if (!allowed.length) throw badCondition(`${where}: only choice and yes/no fields can be conditions`);
      if (!Array.isArray(c.values) || c.values.length === 0) throw badCondition(`${where}: the condition has no values`);
      if (c.values.length > LIMITS.conditionValues) throw tooLarge(`${where}: too many condition values`);
      if (new Set(c.values).size !== c.values.length || !c.values.every((v) => allowed.includes(v))) throw badCondition(`${where}: a condition value is not an answer of ${c.field}`);
      o.show_if = { field: c.field, values: [...c.values] };
    }
    if (fl.max_length !== undefined) {
      const max = fl.type === 'long_text' ? LIMITS.longText : LIMITS.shortText;
      if (!['short_text', 'long_text', 'place'].includes(fl.type) || !Number.isSafeInteger(fl.max_length) || fl.max_length < 1) throw invalid(`${where}: bad max_length`);
      if (fl.max_length > max) throw tooLarge(`${where}: max_length over the limit`);
      o.max_length = fl.max_length;
    }
    if (seen.has(fl.id)) throw invalid(`${where} appears twice`);
    seen.set(fl.id, o);
    out.fields.push(o);
  }
  return out;
}

/**
 * Parses a form's signed bytes; refuses anything whose canonical
 * re-encoding differs (duplicate or miscased members, white space,
 * escapes…).
 * @param {Uint8Array} bytes
 */
export function parseForm(bytes) {
  if (bytes.length > LIMITS.size) throw tooLarge('the form is too large');
  let s;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('not valid UTF-8');
  }
  let obj;
  try {
    obj = JSON.parse(s);
  } catch {
    throw invalid('invalid JSON');
  }
  const c = canonical(obj);
  if (JSON.stringify(c) !== s) throw invalid('not in canonical form');
  return c;
}

/**
 * Verifies a signed form as a page must before showing it: the signature
 * under the pinned admin key first, then the form, its hub and id, then
 * the version against the highest seen (seen: {version, hash} or null).
 */
export function verifyForm(adminKey, hub, id, signedText, seen = null) {
  const s = parseSigned(signedText);
  let ok = false;
  try {
    ok = ed25519.verify(s.signature, s.form, adminKey, { zip215: false });
  } catch {
    ok = false;
  }
  if (!ok) throw new FormError('form_unsigned', "not signed by the hub's admin key");
  const form = parseForm(s.form);
  if (form.hub !== hub || (id && form.id !== id)) throw new FormError('form_wrong_hub', 'the form is for another hub or form');
  const h = hash(s.form);
  if (seen && form.version < seen.version) throw new FormError('form_rollback', 'an older version than one already seen');
  if (seen && form.version === seen.version && h !== seen.hash) throw new FormError('form_conflict', 'the version already seen, with other bytes');
  return { form, hash: h, signed: s };
}

/** Which fields are asked, given answers ({id: [values]}). */
export function shown(form, answers) {
  const out = new Set();
  for (const fl of form.fields) {
    const c = fl.show_if;
    if (!c || (out.has(c.field) && (answers[c.field] ?? []).some((v) => c.values.includes(v)))) out.add(fl.id);
  }
  return out;
}

/** Canonical answers.json (with Go's final newline), after the checks of checkAnswers. */
export function encodeAnswers(form, formHash, answers) {
  const a = { form: form.id, version: form.version, hash: formHash, answers: {} };
  for (const id of Object.keys(answers).sort()) a.answers[id] = answers[id];
  checkAnswers(form, formHash, a);
  return JSON.stringify(a) + '\n';
}

const DATE = (s) => {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s);
  if (!m) return false;
  if (m[2] && (+m[2] < 1 || +m[2] > 12)) return false;
  if (m[3]) {
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.toISOString().slice(0, 10) === s;
  }
  return true;
};

/** Checks answers against the form, as form.CheckAnswers does. */
export function checkAnswers(form, formHash, a) {
  if (a.form !== form.id || a.version !== form.version || a.hash !== formHash) throw new FormError('form_mismatch', 'answers are for another form');
  const ids = Object.keys(a.answers);
  if (ids.length > LIMITS.fields) throw tooLarge('too many answers');
  const asked = shown(form, a.answers);
  for (const id of ids) {
    const fl = form.fields.find((x) => x.id === id);
    const vs = a.answers[id];
    if (!fl) throw badAnswers(`${id} is no field`);
    if (!asked.has(id)) throw badAnswers(`field ${id} is not asked`);
    if (!Array.isArray(vs) || vs.length === 0 || !vs.every((v) => typeof v === 'string' && v !== '')) throw badAnswers(`field ${id}: empty`);
    if (fl.type !== 'multiple_choice' && fl.type !== 'files' && vs.length !== 1) throw badAnswers(`field ${id}: one value`);
    if (new Set(vs).size !== vs.length) throw badAnswers(`field ${id}: a value twice`);
    const v = vs[0];
    switch (fl.type) {
      case 'short_text': case 'place': case 'long_text': {
        const max = Math.min(fl.max_length ?? Infinity, fl.type === 'long_text' ? LIMITS.longText : LIMITS.shortText);
        const re = fl.type === 'long_text' ? /^[\p{L}\p{M}\p{N}\p{P}\p{S} \t\n\r]*$/u : /^[\p{L}\p{M}\p{N}\p{P}\p{S} \t]*$/u;
        if (len(v) > max || !re.test(v)) throw badAnswers(`field ${id}: too long, or a character is not allowed`);
        break;
      }
      case 'single_choice': case 'multiple_choice':
        if (!vs.every((x) => fl.choices.some((c) => c.id === x))) throw badAnswers(`field ${id}: not one of the choices`);
        break;
      case 'yes_no':
        if (v !== 'yes' && v !== 'no') throw badAnswers(`field ${id}: yes or no`);
        break;
      case 'number':
        if (v.length > LIMITS.number || !/^-?[0-9]+(\.[0-9]+)?$/.test(v)) throw badAnswers(`field ${id}: not a number`);
        break;
      case 'date': {
        const [from, to, more] = v.split('/');
        if (more !== undefined || !DATE(from) || (to !== undefined && (!DATE(to) || from > to))) throw badAnswers(`field ${id}: not a date or period`);
        break;
      }
      case 'files':
        if (vs.length > LIMITS.files || !vs.every((x) => utf8.encode(x).length <= 255 && x !== '.' && x !== '..' && !/[\/\\\u0000-\u001f\u007f]/.test(x))) throw badAnswers(`field ${id}: not attachment names`);
        break;
    }
  }
  for (const fl of form.fields) if (fl.required && asked.has(fl.id) && !(a.answers[fl.id] ?? []).length) throw badAnswers(`field ${fl.id} is required`);
}

/** In lang, else its primary subtag, else the form's first language. */
export function inLang(form, t, lang) {
  if (!t) return '';
  if (lang in t) return t[lang];
  const p = (lang ?? '').split('-')[0];
  for (const k of Object.keys(t)) if (p && k.split('-')[0] === p) return t[k];
  return t[form.languages[0]] ?? '';
}

/**
 * The parts of a bundle made with a hub's form, as bundle.js's bundleParts
 * makes them for report.json: envelope.json, form.json (the signed form as
 * verified, encodeSigned + "\n"), answers.json (encodeAnswers), files/NAME,
 * the end-of-archive marker and Padmé padding (docs/bundle.md). Kept here,
 * apart from bundle.js, so that the report page carries it only once it
 * renders forms.
 * @param {object} env output of bundle.js's envelope
 * @param {{form: string, answers: string}} fa
 * @param {{name: string, blob: Blob}[]} files
 */
export function formBundleParts(env, fa, files) {
  const parts = [];
  let n = 0;
  const add = (name, body, size) => {
    const h = tarHeader(name, size);
    parts.push(h, body);
    n += h.length + size;
    const pad = (512 - (size % 512)) % 512;
    if (pad) {
      parts.push(new Uint8Array(pad));
      n += pad;
    }
  };
  const envJSON = utf8.encode(goJSON(env));
  add('envelope.json', envJSON, envJSON.length);
  for (const [name, text] of [['form.json', fa.form], ['answers.json', fa.answers]]) {
    const b = utf8.encode(text);
    if (b.length > BUNDLE_LIMITS.maxJSONSize) throw new BundleError(`${name} is too long`);
    add(name, b, b.length);
  }
  if (files.length + 3 > BUNDLE_LIMITS.maxEntries) throw new BundleError('too many attachments');
  const seen = new Set();
  let total = 0;
  for (const f of files) {
    const why = checkName(f.name);
    if (why) throw new BundleError(`attachment name ${why}`);
    if (seen.has(f.name)) throw new BundleError('an attachment name is given twice');
    seen.add(f.name);
    total += f.blob.size;
    if (f.blob.size > BUNDLE_LIMITS.maxFileSize || total > BUNDLE_LIMITS.maxTotalSize) throw new BundleError('the attachments are too large');
    add(`files/${f.name}`, f.blob, f.blob.size);
  }
  n += 1024;
  const padded = padme(n);
  parts.push(new Uint8Array(1024));
  const zero = new Uint8Array(Math.min(padded - n, 1 << 20));
  for (let left = padded - n; left > 0; left -= zero.length) parts.push(left >= zero.length ? zero : zero.subarray(0, left));
  return { parts, size: padded };
}
