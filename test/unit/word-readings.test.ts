// How a lookup reads the query's words before matching them against terms' words
// (src/glossary/matching/lookup.ts wordReadings): misspelt words with what they may have meant, two
// words written apart that are one, and one word that is two written together.
import { describe, expect, it } from 'vitest';
import { wordReadings } from '../../src/glossary/matching/lookup.js';

const nothingNear = () => [];

describe('word readings of a query', () => {
  it('gives a misspelt word the three closest words near it (servic before servo: alphabetical among equals), and none not close enough', () => {
    const near = (token: string) => (token === 'servce' ? [['serve', 'sauce'], ['service', 'servic', 'servers', 'servo'], ['sxrvxx']] : []);
    expect(wordReadings(['servce', 'rate'], new Set(['rate']), near)).toEqual([[['servce', 'service', 'serve', 'servic'], ['rate']]]);
    expect(wordReadings(['zzzzz'], new Set(), () => [['sxrvxx', 'abcde']])).toEqual([[['zzzzz']]]);
  });

  it('reads a word the vocabulary does not know as two that it does, written together', () => {
    const known = new Set(['jilolo', 'value', 'ziwepa']);
    expect(wordReadings(['jilolovalue', 'ziwepa'], known, nothingNear)).toEqual([
      [['jilolovalue'], ['ziwepa']],
      [['jilolo'], ['value'], ['ziwepa']],
    ]);
  });

  it('leaves a known word whole, and splits nothing the vocabulary does not know both halves of', () => {
    const known = new Set(['touchpoint', 'touch', 'point', 'rate']);
    expect(wordReadings(['touchpoint', 'rate'], known, nothingNear)).toEqual([[['touchpoint'], ['rate']]]);
    expect(wordReadings(['touchpint'], new Set(['touch']), nothingNear)).toEqual([[['touchpint']]]);
  });

  it('still reads two neighbouring words as the one word of the vocabulary they are', () => {
    const known = new Set(['touchpoint', 'moment']);
    expect(wordReadings(['touch', 'point', 'moment'], known, nothingNear)).toEqual([
      [['touch'], ['point'], ['moment']],
      [['touchpoint'], ['moment']],
    ]);
  });
});
