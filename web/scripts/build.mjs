// Builds the pages' scripts with esbuild: internal/web/assets/app.js from
// src/app.js, and internal/web/assets/form.js from src/formpage.js, the
// runtime of hub forms that only the form pages load, after app.js. Both
// bundled, minified, no source map, no timestamps, so the same sources and
// the same locked versions always give the same bytes. The assets are
// committed, so that Go users never need npm.
//
// form.js carries no second copy of the large dependencies: its imports of
// Ed25519 and SHA-256 resolve to the ones app.js exports (globalThis.difesa),
// and it calls app.js's exports for the rest (docs/web.md, "Hub forms").
//
//   node scripts/build.mjs            # write the asset
//   node scripts/build.mjs --check    # fail if the committed asset differs
//
// Two size measures keep the report page within its budget (docs/web.md):
// the word list is stored front-coded and expanded at start-up (the same
// 7,776 words, checked by test/build.test.js), and @noble/curves and
// @noble/hashes resolve to one copy each, where npm would otherwise nest an
// older 2.0 copy under @noble/post-quantum.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { DENIED, WORDS } from '../src/wordlist.js';

const root = (p) => fileURLToPath(new URL(p, import.meta.url));
export const TARGET = root('../../internal/web/assets/app.js');
export const TARGET_GZ = TARGET + '.gz';
export const FORM_TARGET = root('../../internal/web/assets/form.js');
export const FORM_TARGET_GZ = FORM_TARGET + '.gz';

/**
 * The gzip form the server sends, made once here rather than at every
 * start: with zopfli when it is installed (apt-get install zopfli; about 6 %
 * smaller than gzip -9), else with zlib at level 9. Either way it must
 * decompress to exactly the asset (checked here and by internal/web's tests).
 */
export function compress(js, target = TARGET) {
  let gz;
  try {
    gz = execFileSync('zopfli', ['--i15', '-c', target], { maxBuffer: 64 << 20 });
  } catch {
    gz = gzipSync(js, { level: 9 });
  }
  if (Buffer.compare(gunzipSync(gz), Buffer.from(js)) !== 0) throw new Error(`${target}.gz does not decompress to it`);
  return gz;
}

/**
 * Front coding: each word as the length it shares with the previous one,
 * then "!" if it is denied (never generated), then the rest.
 */
export function frontCode(words, denied = new Set()) {
  let prev = '';
  let s = '';
  for (const w of words) {
    let i = 0;
    while (i < 9 && i < prev.length && i < w.length && prev[i] === w[i]) i++;
    s += i + (denied.has(w) ? '!' : '') + w.slice(i);
    prev = w;
  }
  return s;
}

/** The module that stands in for src/wordlist.js in the bundle: the same exports, front-coded. */
export function wordlistModule() {
  return `const F=${JSON.stringify(frontCode(WORDS, DENIED))};
const D=new Set();
export const WORDS=Object.freeze((()=>{const o=[];let p='';for(const m of F.matchAll(/(\\d)(!?)([a-z-]*)/g)){p=p.slice(0,+m[1])+m[3];o.push(p);if(m[2])D.add(p)}return o})());
export const DENIED=Object.freeze(D);
export const GENERABLE=Object.freeze(WORDS.filter((w)=>!D.has(w)));`;
}

const wordlistPlugin = {
  name: 'wordlist',
  setup(b) {
    b.onResolve({ filter: /\/wordlist\.js$/ }, () => ({ path: 'wordlist', namespace: 'difesa' }));
    b.onLoad({ filter: /.*/, namespace: 'difesa' }, () => ({ loader: 'js', contents: wordlistModule() }));
  },
};

/**
 * In form.js, the modules app.js already carries are the ones it exports:
 * app.js runs first (both scripts are deferred, in order).
 */
const fromAppPlugin = {
  name: 'from-app',
  setup(b) {
    const mods = { '@noble/curves/ed25519.js': ['ed25519'], '@noble/hashes/sha2.js': ['sha256'] };
    b.onResolve({ filter: /^@noble\/(curves\/ed25519|hashes\/sha2)\.js$/ }, (a) => ({ path: a.path, namespace: 'from-app' }));
    b.onLoad({ filter: /.*/, namespace: 'from-app' }, (a) => ({
      loader: 'js',
      contents: mods[a.path].map((n) => `export const ${n} = globalThis.difesa.${n};`).join('\n'),
    }));
  },
};

const FORM_BANNER = `/* difesa form pages. Built from web/src by web/scripts/build.mjs; do not edit.
 * Runs after app.js, whose exports it uses. */`;

const BANNER = `/* difesa pages. Built from web/src by web/scripts/build.mjs; do not edit.
 * Includes age-encryption (typage, BSD-3-Clause), @noble/* and @scure/base
 * (MIT, Paul Miller), and the EFF Large Wordlist for Passphrases,
 * (c) 2016 Electronic Frontier Foundation, CC BY 3.0, https://www.eff.org/dice */`;

const OPTIONS = {
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2022'],
    platform: 'browser',
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    sourcemap: false,
    logLevel: 'error',
};

/** The form pages' script, assets/form.js. */
export async function bundleForm() {
  const r = await build({
    ...OPTIONS,
    entryPoints: [root('../src/formpage.js')],
    banner: { js: FORM_BANNER },
    plugins: [fromAppPlugin],
  });
  return r.outputFiles[0].contents;
}

export async function bundle() {
  const r = await build({
    entryPoints: [root('../src/app.js')],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'difesa',
    target: ['es2022'],
    platform: 'browser',
    legalComments: 'none',
    banner: { js: BANNER },
    charset: 'utf8',
    write: false,
    sourcemap: false,
    alias: {
      '@noble/curves': root('../node_modules/@noble/curves'),
      '@noble/hashes': root('../node_modules/@noble/hashes'),
    },
    plugins: [wordlistPlugin],
    logLevel: 'error',
  });
  return r.outputFiles[0].contents;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [target, out] of [[TARGET, await bundle()], [FORM_TARGET, await bundleForm()]]) {
    const name = `internal/web/assets/${target.split('/').pop()}`;
    if (process.argv.includes('--check')) {
      let old = null;
      try {
        old = readFileSync(target);
      } catch {}
      if (!old || Buffer.compare(old, Buffer.from(out)) !== 0) {
        console.error(`${name} is not what web/src builds to: run \`cd web && npm ci && npm run build\` and commit the result`);
        process.exit(1);
      }
      if (Buffer.compare(gunzipSync(readFileSync(target + '.gz')), Buffer.from(out)) !== 0) {
        console.error(`${name}.gz does not decompress to it: run \`npm run build\``);
        process.exit(1);
      }
      console.log(`${name} is up to date`);
    } else {
      writeFileSync(target, out);
      const gz = compress(out, target);
      writeFileSync(target + '.gz', gz);
      console.log(`wrote ${target} (${out.length} bytes, ${gz.length} gzip-compressed)`);
    }
  }
}
