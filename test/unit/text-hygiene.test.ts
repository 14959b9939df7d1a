import { describe, expect, it } from 'vitest';
import { cleanText, withoutUnsafeCharacters } from '../../src/chat/text-hygiene.js';

describe('text hygiene at the edges', () => {
  it('removes bidi overrides and isolates, which make a reader see another order than the one stored', () => {
    expect(withoutUnsafeCharacters('NPS \u202Eerocs\u202C and \u2066x\u2069')).toBe('NPS erocs and x');
  });

  it('removes control characters that act on a terminal (ESC, BEL, DEL, C1) but keeps newline and tab', () => {
    expect(withoutUnsafeCharacters('a\u001b[31mred\u0007\u007f\u009b\tb\nc')).toBe('a[31mred\tb\nc');
  });

  it('turns carriage returns into newlines', () => {
    expect(withoutUnsafeCharacters('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    const text = 'Net Promoter Score — clients fidèles 😊 (NPS)';
    expect(withoutUnsafeCharacters(text)).toBe(text);
    expect(cleanText().parse(`${text}\u202E`)).toBe(text);
  });
});

describe('counted', () => {
  it('says 1 journey and 2 journeys', async () => {
    const { counted } = await import('../../src/chat/words.js');
    expect(counted(1, 'journey')).toBe('1 journey');
    expect(counted(2, 'journey')).toBe('2 journeys');
    expect(counted(0, 'person', 'people')).toBe('0 people');
  });
});
