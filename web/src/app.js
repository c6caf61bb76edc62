// The pages' one script (built into internal/web/assets/app.js by
// `npm run build`). Every page works without it: the forms that would carry
// plaintext stay disabled, and the page explains the offline route. With
// it, everything a defender types is put in a bundle, encrypted with age to
// the recipients of the hub's signed manifest, and only then sent.
//
// Rules kept here: no innerHTML (text only), no inline styles (the CSP
// forbids them), nothing stored (no cookies, no localStorage), the codename
// shown once and then dropped.

import { sha256 } from '@noble/hashes/sha2.js';
import { Decrypter } from 'age-encryption';

import { bundleParts, concat, envelope, padme, readBundle, report, safeName, goJSON, tarHeader } from './bundle.js';
import { CodenameError, deriveKeys, generateCodename, tokenToString } from './codename.js';
import { verifyCurrent, verifyEmbedded, fingerprint, parseAdminKey, parseSigned, parseManifest } from './manifest.js';
import { Cancelled, Unreachable, benchEncrypt, encryptParts, fetchBounded, limits, post, within } from './transfer.js';
import { MAX_BITS, TooHard, ask, withPoW } from './pow.js';
import { ed25519 } from '@noble/curves/ed25519.js';

export { bundleParts, concat, envelope, padme, readBundle, report, goJSON, tarHeader, safeName };
export { deriveKeys, generateCodename, tokenToString, checkinVerifier };
export { verifyCurrent, fingerprint, parseAdminKey, parseSigned, parseManifest };
export { encryptParts, benchEncrypt, limits };
// For the form pages' script (src/formpage.js, built into assets/form.js),
// which runs after this one and uses these instead of carrying copies.
export { post, Cancelled, ask, withPoW, powRefusal, ed25519, sha256, hubKeys, embeddedKeys };

const $ = (id) => document.getElementById(id);

let MSG = {};
function t(key, ...args) {
  const s = MSG[key] ?? key;
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[+i] ?? ''));
}

function show(el, on = true) {
  if (el) el.hidden = !on;
}

function say(text) {
  const s = $('status');
  if (s) s.textContent = text;
}

function fail(text) {
  const e = $('error');
  if (!e) return;
  e.textContent = text;
  show(e);
  e.focus();
}

/**
 * The words for a proof-of-work challenge over MAX_BITS (a broken or
 * hostile hub: nothing was sent), in the page's language; null for any
 * other error.
 */
function powRefusal(e, tr) {
  return e instanceof TooHard ? tr('js_pow_too_hard', String(e.bits), String(MAX_BITS)) : null;
}

/** The words for an error that ended a step; the form stays, to send again. */
function errorText(e) {
  if (e instanceof Cancelled) return t('js_cancelled');
  // post's; fetch's failures (a TypeError) and time limit (fetchBounded)
  if (e instanceof Unreachable || e instanceof TypeError || e?.name === 'TimeoutError') return t('js_hub_unreachable');
  return powRefusal(e, t) ?? (e instanceof Error && e.message ? e.message : String(e));
}

function failed(e) {
  busy(false);
  fail(errorText(e));
}

function clearError() {
  show($('error'), false);
}

/**
 * The hub's verified recipients. The page carries the admin key, the epoch
 * and the signed manifest (#hubdata: its text and signature, docs/web.md),
 * which saves two requests; after a
 * stale_epoch answer they are fetched afresh. Either way the signature is
 * checked here before anything is encrypted.
 */
async function hubKeys(hub, fresh = false) {
  if ($('hubdata') && !fresh) return embeddedKeys(hub);
  const [infoRes, manRes] = await Promise.all([
    fetchBounded(`/api/v1/hubs/${hub}`, { cache: 'no-store', credentials: 'omit' }),
    fetchBounded(`/hubs/${hub}/manifest.json`, { cache: 'no-store', credentials: 'omit' }),
  ]);
  if (!infoRes.ok || !manRes.ok) throw new Error(t('js_hub_unreachable'));
  const { admin_key: adminKey, epoch } = await infoRes.json();
  return keysOf(verifyCurrent({ adminKey, hub, epoch }, await manRes.text()));
}

/** The keys the page carries (#hubdata), verified (hubKeys). */
function embeddedKeys(hub) {
  const d = JSON.parse($('hubdata').textContent);
  return keysOf(verifyEmbedded({ adminKey: d.admin_key, hub, epoch: d.epoch }, d.manifest_text, d.signature));
}

const keysOf = (m) => ({ recipients: m.recipients.map((r) => r.key), epoch: m.epoch, fingerprint: m.fingerprint, issued: m.issued });

function showKeys(keys) {
  const fp = $('fingerprint');
  if (fp) fp.textContent = keys.fingerprint;
  const ep = $('epoch');
  if (ep) ep.textContent = t('js_manifest_ok', String(keys.epoch), keys.issued);
  show($('keys'));
}

function pickedFiles(input, taken) {
  const out = [];
  const renamed = [];
  for (const f of input?.files ?? []) {
    const name = safeName(f.name, taken);
    if (name !== f.name) renamed.push(name);
    out.push({ name, blob: f });
  }
  return { files: out, renamed };
}

function apiError(res) {
  const code = res.json?.error?.code ?? '';
  if (res.status === 413) return t('js_err_too_large');
  if (res.status === 429 || res.status === 503) return t('js_err_busy');
  if (res.status === 507) return t('js_err_full');
  return t('js_err_server', `${res.status} ${code}`.trim());
}

// Progress: one bar for the phases, one status line read by screen readers.
function progress(phase, f) {
  const bar = $('bar');
  if (bar) bar.value = Math.max(0, Math.min(1, f));
  say(`${t(phase)} ${Math.floor(f * 100)} %`);
}

/**
 * Encrypts and sends a bundle to url; returns the server's answer.
 */
async function encryptAndSend(keys, parts, size, url, headers, signal) {
  // Under load the hub asks for proof of work (docs/pow.md): ask while
  // encrypting. A question left unanswered does not hold the send: without
  // it, a hub that wants work answers 429 with a challenge (withPoW).
  const asked = within(ask(url), undefined);
  const blob = await encryptParts(keys.recipients, parts, size, { signal, onProgress: (f) => progress('js_encrypting', f) });
  return withPoW(asked, (pow) => post(url, blob, { 'Content-Type': 'application/vnd.age', ...headers, ...pow }, { signal, onProgress: (f) => progress('js_uploading', f) }),
    (f) => progress('js_pow', f), signal);
}

/**
 * Encrypts and sends a bundle to the URL urlFor(keys) gives; after a
 * stale_epoch answer (the hub's keys changed meanwhile) it verifies the
 * hub's new signed list and sends once more, encrypted to it.
 */
async function sendToHub(hub, keys, parts, size, urlFor, headers, signal) {
  let res = await encryptAndSend(keys, parts, size, urlFor(keys), headers, signal);
  if (res.status === 409 && res.json?.error?.code === 'stale_epoch') {
    const fresh = await hubKeys(hub, true);
    showKeys(fresh);
    res = await encryptAndSend(fresh, parts, size, urlFor(fresh), headers, signal);
  }
  return res;
}

function busy(on, controller) {
  show($('progress'), on);
  const fs = $('fields');
  if (fs) fs.disabled = on;
  const c = $('cancel');
  if (c) c.onclick = on ? () => controller.abort() : null;
}

async function submitPage(hub, kind, keysPromise) {
  const form = $('compose');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError();
    const controller = new AbortController();
    busy(true, controller);
    try {
      const keys = await keysPromise;
      say(t('js_deriving'));
      const codename = generateCodename();
      const k = await deriveKeys(codename, hub, { onProgress: (f) => progress('js_deriving', f) });
      const env = envelope({ kind, language: document.documentElement.lang, replyRecipient: k.recipient });
      const rep = report({
        category: $('category')?.value || 'other',
        narrative: $('narrative')?.value ?? '',
        when: $('when')?.value ?? '',
        where: $('where')?.value ?? '',
        who: $('who')?.value ?? '',
        needs: $('needs')?.value ?? '',
        contact: $('contact')?.value ?? '',
      });
      const { files, renamed } = pickedFiles($('files'), new Set());
      const { parts, size } = bundleParts(env, rep, files);
      const res = await sendToHub(hub, keys, parts, size, (ks) => `/api/v1/hubs/${hub}/submissions?kind=${kind}&epoch=${ks.epoch}`,
        { 'Difesa-Thread-Verifier': tokenToString(k.verifier) }, controller.signal);
      if (res.status !== 201) throw new Error(apiError(res));
      form.reset();
      show(form, false);
      show($('progress'), false);
      showCodename(k.codename, renamed);
    } catch (e) {
      failed(e);
    }
  });
}

function showCodename(codename, renamed) {
  const done = $('done');
  const cn = $('codename');
  cn.textContent = codename.split('-').join(' ');
  if (renamed.length) $('renamed').textContent = t('js_renamed', renamed.join(', '));
  show(done);
  done.focus();
  $('written').addEventListener('click', () => {
    // Shown once: the page drops it and keeps no copy anywhere.
    cn.textContent = '';
    show($('codename-box'), false);
    show($('after'));
    $('after').focus(); // the button that had the focus is gone
  }, { once: true });
}

/**
 * What the hub keeps of a check-in or duress code, as Go's
 * api.CheckinVerifier: SHA-256("difesa checkin verifier v1" || code), the
 * code normalised, in unpadded base64url.
 * @param {string} code a normalised codename
 */
function checkinVerifier(code) {
  return tokenToString(sha256(new TextEncoder().encode('difesa checkin verifier v1' + code)));
}

/** The limits of POST …/checkins, in whole hours (api.MaxCheckinEvery, MaxCheckinGrace). */
const CHECKIN_HOURS = { every: [1, 720], grace: [0, 168] };

function hours(id) {
  const n = Number($(id)?.value);
  const [lo, hi] = CHECKIN_HOURS[id];
  return Number.isInteger(n) && n >= lo && n <= hi ? n : null;
}

/**
 * The page that starts a check-in: the instructions are a bundle of kind
 * checkin, encrypted to the hub like a report; the check-in code and the
 * duress code are made here and only their verifiers are sent, as
 * `difesa checkin start` does. Checking in and stopping are plain forms.
 */
async function checkinStartPage(hub, keysPromise) {
  const form = $('compose');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError();
    const every = hours('every');
    const grace = hours('grace');
    const text = $('narrative').value;
    if (every === null || grace === null) return fail(t('js_checkin_limits'));
    if (!text.trim()) return fail(t('js_checkin_empty'));
    const controller = new AbortController();
    busy(true, controller);
    try {
      const keys = await keysPromise;
      const code = generateCodename();
      let duress = generateCodename();
      while (duress === code) duress = generateCodename();
      const { parts, size } = bundleParts(
        envelope({ kind: 'checkin', language: document.documentElement.lang }),
        report({ category: 'other', narrative: text }),
        [],
      );
      const res = await sendToHub(hub, keys, parts, size,
        (ks) => `/api/v1/hubs/${hub}/checkins?every=${every}h&grace=${grace}h&epoch=${ks.epoch}`,
        { 'Difesa-Checkin-Verifier': checkinVerifier(code), 'Difesa-Duress-Verifier': checkinVerifier(duress) },
        controller.signal);
      if (res.status !== 201 || typeof res.json?.deadline !== 'string') throw new Error(apiError(res));
      form.reset();
      show(form, false);
      show($('progress'), false);
      showCodes(code, duress, res.json.deadline);
    } catch (e) {
      failed(e);
    }
  });
}

function showCodes(code, duress, deadline) {
  const done = $('done');
  const boxes = [$('checkin-code'), $('duress-code')];
  boxes[0].textContent = code.split('-').join(' ');
  boxes[1].textContent = duress.split('-').join(' ');
  $('first-due').textContent = t('js_checkin_first', deadline.slice(0, 16).replace('T', ' ') + ' UTC');
  show(done);
  done.focus();
  $('written').addEventListener('click', () => {
    // Shown once: the page drops both codes and keeps no copy anywhere.
    for (const b of boxes) b.textContent = '';
    show($('codename-box'), false);
    show($('after'));
    $('after').focus(); // the button that had the focus is gone
  }, { once: true });
}

async function repliesPage(hub, keysPromise) {
  let session = null; // the derived keys, in memory for this page view only
  const api = `/api/v1/hubs/${hub}`;
  $('open').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError();
    const input = $('code');
    try {
      say(t('js_deriving'));
      show($('progress'));
      session = await deriveKeys(input.value, hub, { onProgress: (f) => progress('js_deriving', f) });
      input.value = '';
      await loadThread();
    } catch (e) {
      show($('progress'), false);
      if (e instanceof CodenameError) fail(e.code === 'unknown_word' ? t('js_code_word', String(e.position)) : e.code === 'word_count' ? t('js_code_count') : t('js_code_long'));
      else fail(errorText(e));
    }
  });

  async function loadThread() {
    const headers = { 'Difesa-Thread-Token': session.tokenString };
    const res = await fetchBounded(`${api}/thread`, { headers, cache: 'no-store', credentials: 'omit' });
    show($('progress'), false);
    if (res.status === 404) throw new Error(t('js_no_thread'));
    if (res.status === 429) throw new Error(t('js_err_busy'));
    if (!res.ok) throw new Error(t('js_err_load', String(res.status)));
    const thread = await res.json();
    const list = $('messages');
    list.replaceChildren();
    const dec = new Decrypter();
    dec.addIdentity(session.identity);
    for (const m of thread.messages) {
      const li = document.createElement('li');
      const head = document.createElement('p');
      head.className = 'meta';
      head.textContent = `${t('js_kind_' + m.kind)} · ${m.received.slice(0, 10)}`;
      li.append(head);
      if (m.kind === 'reply') {
        li.className = 'reply';
        try {
          const r = await fetchBounded(`${api}/thread/messages/${m.id}`, { headers, cache: 'no-store', credentials: 'omit' });
          const plain = await dec.decrypt(new Uint8Array(await r.arrayBuffer()));
          const b = readBundle(plain);
          const p = document.createElement('p');
          p.className = 'text';
          p.textContent = b.message ?? b.report?.narrative ?? '';
          li.append(p);
          for (const f of b.files) {
            const a = document.createElement('a');
            a.href = URL.createObjectURL(new Blob([f.data], { type: 'application/octet-stream' }));
            a.download = f.name;
            a.textContent = t('js_download', f.name);
            li.append(a);
          }
        } catch {
          const p = document.createElement('p');
          p.textContent = t('js_reply_unreadable');
          li.append(p);
        }
      } else {
        const p = document.createElement('p');
        p.textContent = t('js_own_message');
        li.append(p);
      }
      list.append(li);
    }
    show($('open'), false);
    show($('thread'));
    $('thread-title').focus();
  }

  $('followup').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError();
    const controller = new AbortController();
    busy(true, controller);
    try {
      const keys = await keysPromise;
      const { files } = pickedFiles($('files'), new Set());
      const { parts, size } = bundleParts(
        envelope({ kind: 'followup', language: document.documentElement.lang }),
        report({ category: 'other', narrative: $('narrative').value }),
        files,
      );
      const res = await encryptAndSend(keys, parts, size, `${api}/thread/messages?epoch=${keys.epoch}`,
        { 'Difesa-Thread-Token': session.tokenString }, controller.signal);
      if (res.status !== 201) throw new Error(apiError(res));
      $('followup').reset();
      busy(false);
      say(t('js_sent'));
      show($('progress'));
      await loadThread();
    } catch (e) {
      failed(e);
    }
  });

  $('forget').addEventListener('click', async () => {
    if (!session || !window.confirm(t('js_confirm_delete'))) return;
    clearError();
    let res;
    try {
      res = await fetchBounded(`${api}/thread`, { method: 'DELETE', headers: { 'Difesa-Thread-Token': session.tokenString }, credentials: 'omit' });
    } catch (e) {
      return fail(errorText(e));
    }
    if (res.status === 204) {
      session = null;
      $('messages').replaceChildren();
      show($('thread'), false);
      say(t('js_deleted'));
      show($('progress'));
    } else fail(t('js_err_delete', String(res.status)));
  });
}

async function start() {
  const body = document.body;
  const hub = body.dataset.hub;
  const page = body.dataset.page;
  MSG = JSON.parse($('i18n')?.textContent ?? '{}');
  for (const el of document.querySelectorAll('[data-js]')) el.hidden = false;
  for (const el of document.querySelectorAll('[data-nojs]')) el.hidden = true;
  if (!['report', 'alert', 'replies', 'checkin_start'].includes(page)) return;
  const keysPromise = hubKeys(hub);
  keysPromise.then(
    (keys) => {
      showKeys(keys);
      const fs = $('fields');
      if (fs) fs.disabled = false;
    },
    (e) => fail(`${t('js_manifest_bad')} (${e.message})`),
  );
  keysPromise.catch(() => {});
  if (page === 'replies') {
    const fs = $('code-fields');
    if (fs) fs.disabled = false;
    return repliesPage(hub, keysPromise);
  }
  if (page === 'checkin_start') return checkinStartPage(hub, keysPromise);
  return submitPage(hub, page, keysPromise);
}

if (typeof document !== 'undefined' && document.body?.dataset.page) start();
