// The difesa bundle (docs/bundle.md) written and read in the browser: the
// JavaScript twin of internal/bundle. A bundle is a tar archive of
// envelope.json, report.json and files/NAME, then zero padding up to the
// Padmé length. Every header is byte for byte what Go's archive/tar writes
// for internal/bundle.Write's headers (ustar; PAX only for names ustar
// cannot hold), and test/bundle.test.js with internal/web's Go test checks
// that both sides produce the same bytes.
//
// Nothing here reads an attachment into memory: a bundle is described as a
// list of parts (Uint8Array headers, the File objects themselves, zero
// padding), which the page turns into one Blob and streams through age.

const BLOCK = 512;
const utf8 = new TextEncoder();

/** Kinds of bundle, as in internal/bundle. */
export const KINDS = ['report', 'alert', 'checkin', 'followup', 'reply'];

/** Limits a writer enforces (bundle.DefaultLimits). */
export const LIMITS = Object.freeze({
  maxEntries: 1000,
  maxFileSize: 2 ** 31,
  maxTotalSize: 2 ** 31,
  maxJSONSize: 1 << 20,
  maxNameLen: 255,
});

/**
 * Padmé length of n bytes (docs/bundle.md), exact for n up to 2^53.
 * @param {number} n
 */
export function padme(n) {
  if (n < 2) return n;
  const e = Math.floor(Math.log2(n));
  // Math.log2 can be off by one ulp near powers of two: correct it.
  const E = 2 ** e > n ? e - 1 : 2 ** (e + 1) <= n ? e + 1 : e;
  const s = Math.floor(Math.log2(E)) + 1;
  const mask = 2 ** (E - s);
  return Math.ceil(n / mask) * mask;
}

/**
 * JSON exactly as Go's encoding/json writes it with SetEscapeHTML(false),
 * plus the newline json.Encoder adds: compact, fields in the order given,
 * U+2028 and U+2029 escaped, lone surrogates replaced by U+FFFD.
 * @param {object} obj
 */
export function goJSON(obj) {
  const s = JSON.stringify(obj, (_, v) => (typeof v === 'string' ? wellFormed(v) : v));
  return s.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') + '\n';
}

function wellFormed(s) {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/**
 * The envelope, fields in Go's order, empty optional fields left out.
 * @param {{kind: string, language?: string, created?: string, replyRecipient?: string}} e
 */
export function envelope(e) {
  if (!KINDS.includes(e.kind)) throw new BundleError('unknown kind');
  const out = { version: 1, kind: e.kind };
  if (e.language) out.language = e.language;
  out.created = e.created ?? new Date().toISOString().slice(0, 10);
  if (e.replyRecipient) {
    if (e.kind !== 'report' && e.kind !== 'alert') throw new BundleError('only a report or an alert carries a reply recipient');
    out.reply_recipient = e.replyRecipient;
  }
  return out;
}

const REPORT_FIELDS = ['narrative', 'when', 'where', 'who', 'needs', 'contact'];

/**
 * report.json's fields in Go's order; empty ones left out.
 * @param {{category: string}} r
 */
export function report(r) {
  if (!/^[a-z0-9_]{1,64}$/.test(r.category ?? '')) throw new BundleError('invalid category');
  const out = { category: r.category };
  for (const f of REPORT_FIELDS) if (r[f]) out[f] = r[f];
  return out;
}

export class BundleError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BundleError';
  }
}

/**
 * Checks an attachment name as bundle.checkAttachmentName does.
 * @param {string} name
 */
export function checkName(name) {
  const b = utf8.encode(wellFormed(name));
  if (name === '' || name !== wellFormed(name)) return 'empty or not valid Unicode';
  if (b.length > LIMITS.maxNameLen) return 'longer than 255 bytes';
  if (name === '.' || name === '..') return 'not a file name';
  if (/[\/\\]/.test(name)) return 'contains a separator';
  if (name.length >= 2 && name[1] === ':') return 'starts with a drive letter';
  // Go's unicode.IsControl: C0, DEL and C1.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains a control character';
  return '';
}

/**
 * Makes a picked file's name acceptable and unique within the bundle,
 * replacing what the format refuses with "_" and numbering duplicates as
 * "name (2).ext". The page shows the defender the names that changed.
 * @param {string} name
 * @param {Set<string>} taken
 */
export function safeName(name, taken) {
  let n = wellFormed(name).replace(/[\u0000-\u001f\u007f-\u009f\/\\]/g, '_');
  if (n.length >= 2 && n[1] === ':') n = n[0] + '_' + n.slice(2);
  if (n === '' || n === '.' || n === '..') n = 'file';
  while (utf8.encode(n).length > 200) n = [...n].slice(0, -1).join('');
  let out = n;
  const dot = n.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [n.slice(0, dot), n.slice(dot)] : [n, ''];
  for (let i = 2; taken.has(out); i++) out = `${stem} (${i})${ext}`;
  taken.add(out);
  return out;
}

// Tar header fields, offsets and lengths as in POSIX ustar.
const F = {
  name: [0, 100], mode: [100, 8], uid: [108, 8], gid: [116, 8], size: [124, 12], mtime: [136, 12],
  chksum: [148, 8], typeflag: [156, 1], linkname: [157, 100], magic: [257, 6], version: [263, 2],
  uname: [265, 32], gname: [297, 32], devmajor: [329, 8], devminor: [337, 8], prefix: [345, 155],
};

function putString(blk, field, s) {
  const [off, len] = F[field];
  const b = typeof s === 'string' ? utf8.encode(s) : s;
  blk.set(b.subarray(0, len), off);
}

// Go's formatOctal: zero-padded octal leaving room for a NUL.
function putOctal(blk, field, n) {
  const [, len] = F[field];
  putString(blk, field, n.toString(8).padStart(len - 1, '0'));
}

function finish(blk, magic = true) {
  if (magic) {
    putString(blk, 'magic', 'ustar\0');
    putString(blk, 'version', '00');
  }
  blk.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of blk) sum += b;
  putString(blk, 'chksum', sum.toString(8).padStart(6, '0'));
  blk[154] = 0;
  blk[155] = 0x20;
  return blk;
}

function isASCII(s) {
  return /^[\x00-\x7f]*$/.test(s);
}

// Go's toASCII: drops every non-ASCII code point (and NUL).
function toASCII(s) {
  return s.replace(/[^\x01-\x7f]/gu, '');
}

// Go's splitUSTARPath for the names a bundle has.
function splitUSTAR(name) {
  let length = name.length;
  if (length <= 100 || !isASCII(name)) return null;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.slice(0, length).lastIndexOf('/');
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > 100 || nlen === 0 || i > 155) return null;
  return [name.slice(0, i), name.slice(i + 1)];
}

// The main header of a regular file, as archive/tar's templateV7Plus.
function fileBlock(name, size, prefix = '') {
  const blk = new Uint8Array(BLOCK);
  putString(blk, 'name', name);
  putOctal(blk, 'mode', 0o600);
  putOctal(blk, 'uid', 0);
  putOctal(blk, 'gid', 0);
  putOctal(blk, 'size', size);
  putOctal(blk, 'mtime', 0);
  blk[156] = 0x30; // '0', regular file
  putOctal(blk, 'devmajor', 0);
  putOctal(blk, 'devminor', 0);
  if (prefix) putString(blk, 'prefix', prefix);
  return finish(blk);
}

function paxRecord(k, v) {
  const body = ` ${k}=${v}\n`;
  let size = utf8.encode(body).length;
  size += String(size).length;
  let rec = `${size}${body}`;
  if (utf8.encode(rec).length !== size) rec = `${utf8.encode(rec).length}${body}`;
  return utf8.encode(rec);
}

function padBlock(n) {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

/**
 * The header bytes of one regular file entry (PAX header included when
 * needed), exactly as Go's tar.Writer.WriteHeader writes them.
 * @param {string} name full entry name, e.g. "files/photo.jpg"
 * @param {number} size
 */
export function tarHeader(name, size) {
  if (name.length <= 100 && isASCII(name) && !name.includes('\0')) return fileBlock(name, size);
  const split = splitUSTAR(name);
  if (split) return fileBlock(split[1], size, split[0]);
  // PAX: an 'x' entry holding the path, then the main header whose name
  // field holds what ASCII of the name fits.
  const rec = paxRecord('path', name);
  const slash = name.lastIndexOf('/');
  let xname = toASCII(`${name.slice(0, slash + 1)}PaxHeaders.0/${name.slice(slash + 1)}`);
  xname = xname.slice(0, 100).replace(/\/+$/, '');
  const x = new Uint8Array(BLOCK);
  putString(x, 'name', xname);
  putOctal(x, 'mode', 0);
  putOctal(x, 'uid', 0);
  putOctal(x, 'gid', 0);
  putOctal(x, 'size', rec.length);
  putOctal(x, 'mtime', 0);
  x[156] = 0x78; // 'x'
  finish(x);
  let main = toASCII(name);
  if (main.length > 100 && main[99] === '/') main = main.slice(0, 100).replace(/\/+$/, '');
  const out = new Uint8Array(BLOCK + rec.length + padBlock(rec.length) + BLOCK);
  out.set(x, 0);
  out.set(rec, BLOCK);
  out.set(fileBlock(main, size), BLOCK + rec.length + padBlock(rec.length));
  return out;
}

/**
 * Plans a bundle: the list of parts whose concatenation is the bundle, and
 * its exact size. Attachment bodies are the given Blobs (Files), never read
 * here.
 * @param {object} env output of {@link envelope}
 * @param {object|null} rep output of {@link report}, or null
 * @param {{name: string, blob: Blob}[]} files names already checked
 * @returns {{parts: (Uint8Array|Blob)[], size: number}}
 */
export function bundleParts(env, rep, files) {
  const parts = [];
  let n = 0;
  const add = (name, body, size) => {
    const h = tarHeader(name, size);
    parts.push(h, body);
    n += h.length + size;
    const pad = padBlock(size);
    if (pad) {
      parts.push(new Uint8Array(pad));
      n += pad;
    }
  };
  const envJSON = utf8.encode(goJSON(env));
  add('envelope.json', envJSON, envJSON.length);
  if (rep) {
    const repJSON = utf8.encode(goJSON(rep));
    if (repJSON.length > LIMITS.maxJSONSize) throw new BundleError('the report is too long');
    add('report.json', repJSON, repJSON.length);
  }
  if (files.length + parts.length / 3 > LIMITS.maxEntries) throw new BundleError('too many attachments');
  const seen = new Set();
  let total = 0;
  for (const f of files) {
    const why = checkName(f.name);
    if (why) throw new BundleError(`attachment name ${why}`);
    if (seen.has(f.name)) throw new BundleError('an attachment name is given twice');
    seen.add(f.name);
    if (f.blob.size > LIMITS.maxFileSize) throw new BundleError('an attachment is larger than 2 GiB');
    total += f.blob.size;
    if (total > LIMITS.maxTotalSize) throw new BundleError('the attachments are larger than 2 GiB together');
    add(`files/${f.name}`, f.blob, f.blob.size);
  }
  n += 2 * BLOCK;
  const padded = padme(n);
  parts.push(new Uint8Array(2 * BLOCK));
  // Padding in pieces, so that a large one is not one large allocation.
  const zero = new Uint8Array(Math.min(padded - n, 1 << 20));
  for (let left = padded - n; left > 0; left -= zero.length) parts.push(left >= zero.length ? zero : zero.subarray(0, left));
  return { parts, size: padded };
}

/**
 * Concatenates parts of a bundle into bytes (for small bundles and tests).
 * @param {(Uint8Array|Blob)[]} parts
 */
export async function concat(parts) {
  const bufs = await Promise.all(parts.map(async (p) => (p instanceof Uint8Array ? p : new Uint8Array(await p.arrayBuffer()))));
  const out = new Uint8Array(bufs.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of bufs) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

/**
 * Reads a decrypted bundle (a reply from the hub) leniently but safely:
 * regular files only, names checked, nothing outside files/. Plaintexts
 * that are not tar archives are returned as a message.
 * @param {Uint8Array} data
 * @returns {{envelope?: object, report?: object, files: {name: string, data: Uint8Array}[], message?: string}}
 */
export function readBundle(data) {
  const dec = new TextDecoder('utf-8', { fatal: false });
  const out = { files: [] };
  if (data.length < BLOCK || !checksumOK(data.subarray(0, BLOCK))) {
    out.message = dec.decode(data.subarray(0, 1 << 20));
    return out;
  }
  let off = 0;
  let paxPath = null;
  while (off + BLOCK <= data.length) {
    const h = data.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (!checksumOK(h)) throw new BundleError('corrupt archive');
    const str = (f) => {
      const [o, l] = F[f];
      const b = h.subarray(o, o + l);
      const z = b.indexOf(0);
      return dec.decode(z < 0 ? b : b.subarray(0, z));
    };
    const size = parseInt(str('size').trim() || '0', 8);
    const type = String.fromCharCode(h[156]);
    const body = data.subarray(off + BLOCK, off + BLOCK + size);
    off += BLOCK + size + padBlock(size);
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(dec.decode(body));
      paxPath = m ? m[1] : null;
      continue;
    }
    let name = paxPath ?? (str('prefix') ? `${str('prefix')}/${str('name')}` : str('name'));
    paxPath = null;
    if (type === '5') continue;
    if (type !== '0' && type !== '\0') throw new BundleError('unexpected entry type');
    if (name === 'envelope.json') out.envelope = JSON.parse(dec.decode(body));
    else if (name === 'report.json') out.report = JSON.parse(dec.decode(body));
    else if (name.startsWith('files/') && !checkName(name.slice(6))) out.files.push({ name: name.slice(6), data: body });
    else throw new BundleError('unexpected entry');
  }
  if (!out.envelope) throw new BundleError('not a difesa bundle');
  return out;
}

function checksumOK(h) {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  const field = new TextDecoder().decode(h.subarray(148, 156)).replace(/[\0 ]+$/g, '').trim();
  return field !== '' && parseInt(field, 8) === sum;
}
