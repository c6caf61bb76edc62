// Encrypting a bundle in the page and sending it.
//
// Why a Blob and XMLHttpRequest rather than a streaming fetch: a fetch with
// a ReadableStream body needs `duplex: 'half'` and, in Chromium, HTTP/2;
// over plain HTTP/1.1 (an onion service, a local hub) it is refused, and
// Firefox (Tor Browser) does not stream request bodies at all. So the page
// encrypts the bundle chunk by chunk into a Blob (age's STREAM, 64 KiB
// chunks: the plaintext is never held whole), then uploads that Blob with
// XMLHttpRequest, whose upload progress events work everywhere. Memory:
// docs/web.md.

import { Encrypter } from 'age-encryption';

/** Thrown when the defender cancels. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/**
 * Thrown by post when the hub cannot be reached, or stops answering: no
 * progress and no answer for limits.stallMs (docs/web.md). A defender is
 * never left on a page that waits for nothing.
 */
export class Unreachable extends Error {
  constructor() {
    super('unreachable');
    this.name = 'Unreachable';
  }
}

/**
 * How long a network step may go without a sign of life before it is
 * given up with an error the defender can retry from: longer than the
 * hub's own upload idle timeout (60 s), so that a hub that cuts a stalled
 * upload says so first. Tests shorten it.
 */
export const limits = { stallMs: 90_000 };

// Ciphertext gathered in arrays is folded into a Blob every FOLD bytes, so
// that the browser may move it out of the JavaScript heap (Chromium keeps
// large blobs on disk).
const FOLD = 16 << 20;

/**
 * Encrypts the bundle made of parts (total plaintext size bytes) to the
 * recipients; returns the age file as a Blob.
 * @param {string[]} recipients
 * @param {(Uint8Array|Blob)[]} parts
 * @param {number} size
 * @param {{onProgress?: (f: number) => void, signal?: AbortSignal}} [opts]
 */
export async function encryptParts(recipients, parts, size, opts = {}) {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  let read = 0;
  const counted = new Blob(parts).stream().pipeThrough(
    new TransformStream({
      transform(chunk, c) {
        if (opts.signal?.aborted) throw new Cancelled();
        read += chunk.length;
        opts.onProgress?.(size ? read / size : 1);
        c.enqueue(chunk);
      },
    }),
  );
  const out = (await e.encrypt(counted)).getReader();
  let acc = new Blob([]);
  let pending = [];
  let pendingBytes = 0;
  for (;;) {
    if (opts.signal?.aborted) {
      await out.cancel().catch(() => {});
      throw new Cancelled();
    }
    const { done, value } = await out.read();
    if (done) break;
    pending.push(value);
    pendingBytes += value.length;
    if (pendingBytes >= FOLD) {
      acc = new Blob([acc, ...pending]);
      pending = [];
      pendingBytes = 0;
    }
  }
  return new Blob([acc, ...pending], { type: 'application/vnd.age' });
}

/**
 * POSTs body with XMLHttpRequest, reporting upload progress; resolves with
 * the status and parsed JSON answer. Rejects with Unreachable when the
 * connection fails or nothing moves (no progress, no answer) for
 * limits.stallMs, with Cancelled when signal aborts.
 * @param {string} url
 * @param {Blob} body
 * @param {Record<string, string>} headers
 * @param {{onProgress?: (f: number) => void, signal?: AbortSignal}} [opts]
 */
export function post(url, body, headers, opts = {}) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    let stalled = false;
    let timer;
    const alive = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        x.abort();
      }, limits.stallMs);
    };
    x.open('POST', url);
    for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v);
    x.responseType = 'text';
    x.upload.onprogress = (ev) => {
      alive();
      if (ev.lengthComputable) opts.onProgress?.(ev.loaded / ev.total);
    };
    x.onprogress = x.onreadystatechange = alive;
    x.onloadend = () => clearTimeout(timer);
    x.onload = () => {
      let json = null;
      try {
        json = JSON.parse(x.responseText);
      } catch {
        json = null;
      }
      resolve({ status: x.status, json });
    };
    x.onerror = () => reject(new Unreachable());
    x.onabort = () => reject(stalled ? new Unreachable() : new Cancelled());
    opts.signal?.addEventListener('abort', () => x.abort(), { once: true });
    alive();
    x.send(body);
  });
}

/**
 * fetch, given up, its body included, with a TimeoutError after
 * limits.stallMs.
 * @param {string} url
 * @param {RequestInit} [init]
 */
export const fetchBounded = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(limits.stallMs) });

/**
 * Resolves as p does, or with fallback if p has not settled within
 * limits.stallMs.
 */
export const within = (p, fallback) => Promise.race([p, new Promise((r) => setTimeout(r, limits.stallMs, fallback))]);

/**
 * Encrypts size bytes of zeros and reports MB/s: the same code path as a
 * submission, for benchmarks in the browser and in Node.
 * @param {string[]} recipients
 * @param {number} size bytes
 */
export async function benchEncrypt(recipients, size) {
  const chunk = new Uint8Array(1 << 20);
  const parts = [];
  for (let left = size; left > 0; left -= chunk.length) parts.push(left >= chunk.length ? chunk : chunk.subarray(0, left));
  const t0 = performance.now();
  const blob = await encryptParts(recipients, parts, size);
  const ms = performance.now() - t0;
  return { bytes: size, ciphertext: blob.size, ms, mbPerSecond: size / 1e6 / (ms / 1000) };
}
