// Proof of work, asked of uploads only while the hub is under load
// (docs/pow.md): find the smallest 8-byte nonce such that
// SHA-256(SHA-256(challenge) || nonce) starts with the challenge's number
// of zero bits. Plain JavaScript, no WebAssembly, no worker: it hands the
// event loop back every 1,024 tries (40 to 90 ms without JIT), so that the
// page stays responsive and its progress bar moves. The page asks the hub
// first (ask) while it encrypts, and also answers a 429 that carries a
// challenge (withPoW). docs/vectors/pow.json holds it to the Go code.

import { sha256 } from '@noble/hashes/sha2.js';

import { Cancelled } from './transfer.js';

/**
 * The most work a hub may ask for (pow.MaxSolveBits in Go, pow_max_bits):
 * about 4 s at 16 bits in Firefox without JIT. A challenge over it comes
 * from a hostile or broken hub, which could keep the page busy for hours;
 * it is refused before any work.
 */
export const MAX_BITS = 16;

/** The refusal of a challenge over MAX_BITS. */
export class TooHard extends Error {
  constructor(bits) {
    super(`the hub asked for ${bits} bits of proof of work, over the ${MAX_BITS} any hub may ask for: nothing was sent`);
    this.name = 'TooHard';
    this.bits = bits;
  }
}

/** Whether hash h starts with at least bits zero bits. */
export function enough(h, bits) {
  let i = 0;
  for (; bits > 7; bits -= 8) if (h[i++]) return false;
  return !(h[i] >> (8 - bits));
}

/**
 * Solves challenge; resolves with the nonce as 16 hex digits, or rejects
 * with TooHard if it asks for more than MAX_BITS. onProgress
 * gets tries / (tries + 2^bits): a half at the mean number of tries, never 1.
 * @param {string} challenge
 * @param {(f: number) => void} onProgress
 * @param {AbortSignal} signal
 */
export async function solve(challenge, onProgress, signal) {
  const bits = +challenge.split('.')[3];
  if (!(bits >= 1 && bits <= MAX_BITS)) throw new TooHard(bits);
  const buf = new Uint8Array(40);
  buf.set(sha256(new TextEncoder().encode(challenge)));
  const view = new DataView(buf.buffer);
  for (let n = 0; ; n++) {
    view.setUint32(36, n); // the first 4 bytes stay 0: 2^32 tries are far more than 16 bits need
    if (enough(sha256(buf), bits)) return n.toString(16).padStart(16, '0');
    if (!(n & 1023)) {
      onProgress(n / (n + 2 ** bits));
      await new Promise((r) => setTimeout(r));
      if (signal.aborted) throw new Cancelled();
    }
  }
}

/**
 * Asks the hub whether it wants work now (GET …/pow, for the API URL url),
 * so that an upload can carry it from the start; resolves with a challenge
 * or nothing.
 */
export const ask = (url) =>
  fetch(url.split('/', 5).join('/') + '/pow')
    .then((r) => r.json())
    .then((p) => p.challenge, () => {});

/**
 * Calls send(extraHeaders) with a solution of the challenge asked for
 * beforehand, if any; if the hub answers 429 with a challenge all the same
 * (its load rose, or the first one expired), solves that one and sends
 * once more.
 */
export async function withPoW(asked, send, onProgress, signal) {
  for (let c = await asked, last = 0; ; last++) {
    const res = await send(c ? { 'Difesa-PoW': `${c} ${await solve(c, onProgress, signal)}` } : {});
    c = res.status === 429 && res.json?.pow?.challenge;
    if (!c || last) return res;
  }
}
