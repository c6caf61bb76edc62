// Encrypts N MB (default 100) with the built asset, internal/web/assets/app.js,
// in Node: the same code the pages run, for comparison with the browser
// benchmark in internal/web (DIFESA_BENCH=1 go test -run TestBrowserEncryptBench).
//
//   node bench/encrypt.mjs [MB] [--jitless is a node flag: node --jitless bench/encrypt.mjs]

import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const mb = Number(process.argv[2] ?? 100);
vm.runInThisContext(readFileSync(new URL('../../internal/web/assets/app.js', import.meta.url), 'utf8'));
const { benchEncrypt } = globalThis.difesa;
// A post-quantum recipient, like a real hub's (the codename test vector's).
const recipient = JSON.parse(readFileSync(new URL('../../docs/vectors/codename.json', import.meta.url), 'utf8')).valid[0].recipient;
const r = await benchEncrypt([recipient], mb * 1e6);
console.log(JSON.stringify({ runtime: `node ${process.version}`, ...r, mbPerSecond: Math.round(r.mbPerSecond * 10) / 10 }));
