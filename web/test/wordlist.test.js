// The word list the pages bundle (src/wordlist.js) must be the one the Go
// side embeds, word for word.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { DENIED, GENERABLE, WORDS } from '../src/wordlist.js';
import { DENYLIST, SOURCE, TARGET, parseDenylist, render } from '../scripts/gen-wordlist.mjs';

const source = readFileSync(SOURCE, 'utf8');
const denylist = readFileSync(DENYLIST, 'utf8');

test('src/wordlist.js holds the words of internal/codename/eff_large_wordlist.txt', () => {
  const goWords = source.trimEnd().split('\n').map((l) => l.split('\t')[1]);
  assert.equal(goWords.length, 7776);
  assert.deepEqual([...WORDS], goWords);
});

test('src/wordlist.js is what scripts/gen-wordlist.mjs generates', () => {
  assert.equal(readFileSync(TARGET, 'utf8'), render(source, denylist), 'run npm run wordlist');
});

test('the list is sorted, distinct, lowercase ASCII with inner hyphens only', () => {
  for (let i = 0; i < WORDS.length; i++) {
    assert.match(WORDS[i], /^[a-z]+(-[a-z]+)?$/);
    if (i > 0) assert.ok(WORDS[i - 1] < WORDS[i], `${WORDS[i - 1]} < ${WORDS[i]}`);
  }
});

test('the denylist is internal/codename/denylist.txt, words of the list only', () => {
  const goDenied = parseDenylist(denylist);
  assert.deepEqual([...DENIED].sort(), [...goDenied].sort());
  const all = new Set(WORDS);
  for (const w of DENIED) assert.ok(all.has(w), `${w} is in the list`);
  assert.equal(GENERABLE.length, WORDS.length - DENIED.size);
  assert.equal(GENERABLE.length, 7501);
  for (const w of GENERABLE) assert.ok(!DENIED.has(w));
});
