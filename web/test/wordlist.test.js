// The word list the pages bundle (src/wordlist.js) must be the one the Go
// side embeds, word for word.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { WORDS } from '../src/wordlist.js';
import { SOURCE, TARGET, render } from '../scripts/gen-wordlist.mjs';

const source = readFileSync(SOURCE, 'utf8');

test('src/wordlist.js holds the words of internal/codename/eff_large_wordlist.txt', () => {
  const goWords = source.trimEnd().split('\n').map((l) => l.split('\t')[1]);
  assert.equal(goWords.length, 7776);
  assert.deepEqual([...WORDS], goWords);
});

test('src/wordlist.js is what scripts/gen-wordlist.mjs generates', () => {
  assert.equal(readFileSync(TARGET, 'utf8'), render(source), 'run npm run wordlist');
});

test('the list is sorted, distinct, lowercase ASCII with inner hyphens only', () => {
  for (let i = 0; i < WORDS.length; i++) {
    assert.match(WORDS[i], /^[a-z]+(-[a-z]+)?$/);
    if (i > 0) assert.ok(WORDS[i - 1] < WORDS[i], `${WORDS[i - 1]} < ${WORDS[i]}`);
  }
});
