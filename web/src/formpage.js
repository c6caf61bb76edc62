// The form pages' script, built into internal/web/assets/form.js (a second
// entry point of scripts/build.mjs). Only the pages of a hub's own forms
// load it, after app.js, whose exports it uses (the Ed25519, SHA-256, age,
// codename and upload code are not carried twice; docs/web.md).
//
// The page shows a form only once the hub's pinned admin key (in the page,
// as for the manifest) has been checked against its signature, and only
// then renders its questions from the verified bytes, never from the
// server's HTML. Just before the encrypted bundle leaves, it fetches the
// form again and refuses to send if it is not the same one. A refusal says
// not to send, with its stable code (docs/forms.md); nothing typed is lost.
//
// Rules of app.js kept here: no innerHTML (text only), no inline styles,
// nothing stored, the codename shown once and then dropped.

import { FormError, encodeAnswers, encodeSigned, formBundleParts, inLang, shown, verifyForm } from './form.js';
import { safeName } from './bundle.js';

const app = globalThis.difesa;
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

let MSG = {};
function t(key, ...args) {
  const s = MSG[key] ?? key;
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[+i] ?? ''));
}

function show(e, on = true) {
  if (e) e.hidden = !on;
}

function fail(text, focus) {
  const e = $('error');
  e.textContent = text;
  show(e);
  (focus ?? e).focus();
}

/** The stable code of a refusal: a FormError's, else form_invalid. */
const codeOf = (e) => (e instanceof FormError ? e.code : 'form_invalid');

/**
 * The form as the page loaded it, verified; or the refusal.
 * @returns {{form: object, hash: string, signed: object} | null}
 */
function loaded(hub, info) {
  const data = JSON.parse($('formdata').textContent);
  try {
    return verifyForm(app.parseAdminKey(info.admin_key), hub, data.id, data.signed);
  } catch (e) {
    refuse(codeOf(e));
    return null;
  }
}

let refused = false;

/** Tells the defender not to send, with the code; the send button stays off. */
function refuse(code) {
  refused = true;
  const box = $('form-refused');
  box.replaceChildren(t('js_form_refused'), ' ', el('code', { className: 'code' }, code));
  show(box);
  const send = $('send');
  if (send) send.disabled = true;
  box.focus();
}

/**
 * Fetches the hub's form again, as the server serves it now, and throws a
 * FormError unless it is byte for byte the form the page shows: an older
 * version is a rollback, anything else a swap.
 */
async function recheck(hub, adminKey, cur) {
  let text;
  try {
    const res = await fetch(`/api/v1/hubs/${hub}/forms/${cur.form.id}`, { cache: 'no-store', credentials: 'omit' });
    if (!res.ok) throw new Error(String(res.status));
    text = await res.text();
  } catch {
    throw new FormError('form_unavailable', 'the hub could not serve the form again');
  }
  const now = verifyForm(adminKey, hub, cur.form.id, text);
  if (now.hash === cur.hash) return;
  if (now.form.version < cur.form.version) throw new FormError('form_rollback', 'the hub now serves an older version');
  throw new FormError('form_mismatch', 'the form changed between page load and send');
}

/** The inputs of one field; returns the element wrapping them. */
function renderField(form, fl, lang) {
  const id = `f-${fl.id}`;
  const label = inLang(form, fl.label, lang) + (fl.required ? ` (${t('js_form_required')})` : '');
  const wrap = el('div', { id: `q-${fl.id}`, className: 'question' });
  const hints = [];
  const help = inLang(form, fl.help, lang);
  if (help) hints.push(help);
  if (fl.type === 'date') hints.push(t('js_form_date_hint'));
  if (fl.type === 'number') hints.push(t('js_form_number_hint'));
  const hint = hints.length ? el('p', { className: 'hint', id: `${id}-hint` }, hints.join(' ')) : null;
  const choices = fl.type === 'yes_no'
    ? [{ id: 'yes', text: t('js_form_yes') }, { id: 'no', text: t('js_form_no') }]
    : (fl.choices ?? []).map((c) => ({ id: c.id, text: inLang(form, c.label, lang) }));
  if (fl.type === 'single_choice' || fl.type === 'multiple_choice' || fl.type === 'yes_no') {
    const set = el('fieldset', { id });
    set.append(el('legend', {}, label));
    if (hint) {
      set.append(hint);
      set.setAttribute('aria-describedby', hint.id);
    }
    for (const c of choices) {
      const input = el('input', { type: fl.type === 'multiple_choice' ? 'checkbox' : 'radio', name: id, value: c.id, id: `${id}-${c.id}` });
      set.append(el('label', { htmlFor: input.id }, input, ' ', c.text));
    }
    wrap.append(set);
    return wrap;
  }
  let input;
  if (fl.type === 'long_text') input = el('textarea', { id, rows: 6 });
  else if (fl.type === 'files') input = el('input', { id, type: 'file', multiple: true });
  else input = el('input', { id, type: 'text', autocomplete: 'off' });
  if (fl.max_length) input.maxLength = fl.max_length;
  if (fl.required) input.setAttribute('aria-required', 'true');
  if (hint) input.setAttribute('aria-describedby', hint.id);
  wrap.append(el('label', { htmlFor: id }, label), input);
  if (hint) wrap.append(hint);
  return wrap;
}

/**
 * What the defender has answered, by field id, and the attachments; a
 * question that is not shown (its condition unmet) is not answered.
 */
function collect(form) {
  const values = {};
  for (const fl of form.fields) {
    const id = `f-${fl.id}`;
    let vs = [];
    if (fl.type === 'single_choice' || fl.type === 'multiple_choice' || fl.type === 'yes_no') {
      vs = [...document.querySelectorAll(`input[name="${id}"]:checked`)].map((i) => i.value);
    } else if (fl.type !== 'files') {
      const v = $(id).value;
      if (v.trim() !== '') vs = [fl.type === 'long_text' ? v : v.trim()];
    }
    if (vs.length) values[fl.id] = vs;
  }
  const asked = shown(form, values);
  const answers = {};
  const files = [];
  const taken = new Set();
  for (const fl of form.fields) {
    if (!asked.has(fl.id)) continue;
    if (fl.type === 'files') {
      const names = [];
      for (const f of $(`f-${fl.id}`).files ?? []) {
        const name = safeName(f.name, taken);
        taken.add(name);
        names.push(name);
        files.push({ name, blob: f });
      }
      if (names.length) answers[fl.id] = names;
    } else if (values[fl.id]) answers[fl.id] = values[fl.id];
  }
  return { values, asked, answers, files };
}

function progress(phase, f) {
  $('bar').value = Math.max(0, Math.min(1, f));
  $('status').textContent = `${t(phase)} ${Math.floor(f * 100)} %`;
}

function busy(on, controller) {
  show($('progress'), on);
  $('fields').disabled = on;
  $('cancel').onclick = on ? () => controller.abort() : null;
}

function apiError(res) {
  const code = res.json?.error?.code ?? '';
  if (res.status === 413) return t('js_err_too_large');
  if (res.status === 429 || res.status === 503) return t('js_err_busy');
  if (res.status === 507) return t('js_err_full');
  return t('js_err_server', `${res.status} ${code}`.trim());
}

function showCodename(codename) {
  const done = $('done');
  const cn = $('codename');
  cn.textContent = codename.split('-').join(' ');
  show(done);
  done.focus();
  $('written').addEventListener('click', () => {
    cn.textContent = '';
    show($('codename-box'), false);
    show($('after'));
    $('after').focus();
  }, { once: true });
}

function start() {
  const body = document.body;
  const hub = body.dataset.hub;
  const lang = document.documentElement.lang;
  MSG = JSON.parse($('i18n')?.textContent ?? '{}');
  const info = JSON.parse($('hubdata').textContent);
  const cur = loaded(hub, info);
  if (!cur) return;
  const { form } = cur;
  const adminKey = app.parseAdminKey(info.admin_key);

  // The page shows the verified form, never the server's rendering of it.
  $('form-title').textContent = inLang(form, form.title, lang);
  const help = inLang(form, form.help, lang);
  $('form-help').textContent = help;
  show($('form-help'), !!help);
  $('form-checked').textContent = t('js_form_checked', form.id, String(form.version));
  show($('form-checked'));
  const questions = $('questions');
  for (const fl of form.fields) questions.append(renderField(form, fl, lang));
  const compose = $('compose');
  const live = () => {
    const { asked } = collect(form);
    for (const fl of form.fields) show($(`q-${fl.id}`), asked.has(fl.id));
  };
  compose.addEventListener('input', live);
  compose.addEventListener('change', live);
  live();
  show(compose);

  let keys;
  try {
    keys = app.embeddedKeys(hub);
    $('fingerprint').textContent = keys.fingerprint;
    $('epoch').textContent = t('js_manifest_ok', String(keys.epoch), keys.issued);
    show($('epoch'));
    if (!refused) $('fields').disabled = false;
  } catch (e) {
    fail(`${t('js_manifest_bad')} (${e.message})`);
    return;
  }

  // Encrypts, checks the form once more, and only then sends.
  async function encryptAndSend(ks, parts, size, headers, signal) {
    const url = `/api/v1/hubs/${hub}/submissions?kind=report&epoch=${ks.epoch}`;
    const asked = app.ask(url);
    const blob = await app.encryptParts(ks.recipients, parts, size, { signal, onProgress: (f) => progress('js_encrypting', f) });
    await recheck(hub, adminKey, cur);
    return app.withPoW(asked, (pow) => app.post(url, blob, { 'Content-Type': 'application/vnd.age', ...headers, ...pow }, { signal, onProgress: (f) => progress('js_uploading', f) }),
      (f) => progress('js_pow', f), signal);
  }

  compose.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    show($('error'), false);
    if (refused) return;
    const { asked, answers, files } = collect(form);
    for (const fl of form.fields) {
      if (fl.required && asked.has(fl.id) && !answers[fl.id]) return fail(t('js_form_missing', inLang(form, fl.label, lang)), $(`f-${fl.id}`));
    }
    let answersText;
    try {
      answersText = encodeAnswers(form, cur.hash, answers);
    } catch (e) {
      const fl = form.fields.find((x) => e.message.includes(`field ${x.id}`));
      return fail(fl ? t('js_form_bad', inLang(form, fl.label, lang)) : e.message, fl && $(`f-${fl.id}`));
    }
    const controller = new AbortController();
    busy(true, controller);
    try {
      const codename = app.generateCodename();
      const k = await app.deriveKeys(codename, hub, { onProgress: (f) => progress('js_deriving', f) });
      const env = app.envelope({ kind: 'report', language: lang, replyRecipient: k.recipient });
      const { parts, size } = formBundleParts(env, { form: encodeSigned(cur.signed) + '\n', answers: answersText }, files);
      const headers = { 'Difesa-Thread-Verifier': app.tokenToString(k.verifier) };
      let res = await encryptAndSend(keys, parts, size, headers, controller.signal);
      if (res.status === 409 && res.json?.error?.code === 'stale_epoch') {
        keys = await app.hubKeys(hub, true);
        res = await encryptAndSend(keys, parts, size, headers, controller.signal);
      }
      if (res.status !== 201) throw new Error(apiError(res));
      compose.reset();
      show(compose, false);
      show($('progress'), false);
      showCodename(k.codename);
    } catch (e) {
      busy(false);
      if (e instanceof FormError) refuse(e.code);
      else fail(e instanceof app.Cancelled ? t('js_cancelled') : app.powRefusal(e, t) ?? (e instanceof Error && e.message ? e.message : String(e)));
    }
  });
}

if (typeof document !== 'undefined' && document.body?.dataset.page === 'form' && globalThis.difesa) start();
