// The bounds that keep a page from waiting for nothing: a real loopback
// HTTP server that never answers, and one that answers.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { fetchBounded, limits, within } from '../src/transfer.js';

let base;
let server;
const held = new Set();

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/never') {
      held.add(res);
      return; // no answer
    }
    res.end('ok');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('fetchBounded gives up a request that gets no answer', async () => {
  const saved = limits.stallMs;
  limits.stallMs = 200;
  try {
    await assert.rejects(fetchBounded(`${base}/never`), { name: 'TimeoutError' });
    assert.equal(await (await fetchBounded(`${base}/yes`)).text(), 'ok');
  } finally {
    limits.stallMs = saved;
  }
});

test('within falls back when a promise never settles, and keeps a settled one', async () => {
  const saved = limits.stallMs;
  limits.stallMs = 50;
  try {
    assert.equal(await within(new Promise(() => {}), 'fallback'), 'fallback');
    assert.equal(await within(Promise.resolve('answer'), 'fallback'), 'answer');
    await assert.rejects(within(Promise.reject(new Error('no')), 'fallback'), /no/);
  } finally {
    limits.stallMs = saved;
  }
});

test('the stall bound is longer than the hub’s own upload idle timeout (60 s)', () => {
  assert.ok(limits.stallMs > 60_000);
});
