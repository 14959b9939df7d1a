// The glossary answer cache: nothing while change notices cannot arrive, everything forgotten on a
// change, and an answer read before a change never remembered after it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnswerCache } from '../../src/db/answer-cache.js';

describe('AnswerCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('remembers nothing until it is enabled (the change listener is connected)', () => {
    const cache = new AnswerCache<string>();
    cache.set('nps', 'Net Promoter Score', cache.ticket());
    expect(cache.get('nps')).toBeUndefined();
    cache.enable();
    cache.set('nps', 'Net Promoter Score', cache.ticket());
    expect(cache.get('nps')).toBe('Net Promoter Score');
    expect(cache.counts).toEqual({ hits: 1, misses: 0 });
  });

  it('forgets everything on a change, and on losing the listener, and stays off until it is back', () => {
    const cache = new AnswerCache<string>();
    cache.enable();
    cache.set('nps', 'v1', cache.ticket());
    cache.forget();
    expect(cache.get('nps')).toBeUndefined();
    cache.set('nps', 'v2', cache.ticket());
    cache.disable();
    expect(cache.get('nps')).toBeUndefined();
    cache.set('nps', 'v3', cache.ticket());
    cache.enable();
    expect(cache.get('nps')).toBeUndefined();
  });

  it('does not remember an answer that was read before a change arrived', () => {
    const cache = new AnswerCache<string>();
    cache.enable();
    const ticket = cache.ticket(); // the lookup starts reading the database …
    cache.forget(); // … a change notice arrives meanwhile …
    cache.set('nps', 'old definition', ticket); // … so what it read may be old
    expect(cache.get('nps')).toBeUndefined();
  });

  it('remembers a computed answer, computes again after a change, and keeps nothing computed across a change', async () => {
    const cache = new AnswerCache<string>();
    cache.enable();
    let computed = 0;
    const compute = async () => `answer ${++computed}`;
    expect(await cache.remember('nps', compute)).toBe('answer 1');
    expect(await cache.remember('nps', compute)).toBe('answer 1');
    cache.forget();
    expect(await cache.remember('nps', compute)).toBe('answer 2');
    cache.forget();
    const slow = cache.remember('csat', async () => {
      cache.forget(); // a change notice arrives while the answer is being read
      return 'old';
    });
    expect(await slow).toBe('old');
    expect(cache.get('csat')).toBeUndefined();
    await expect(cache.remember('x', () => Promise.reject(new Error('db away')))).rejects.toThrow('db away');
    expect(cache.get('x')).toBeUndefined();
  });

  it('keeps at most maxEntries answers, dropping the least recently used, and none older than maxAgeMs', () => {
    vi.useFakeTimers({ now: new Date('2026-03-12T10:00:00Z') });
    const cache = new AnswerCache<number>({ maxEntries: 2, maxAgeMs: 60_000 });
    cache.enable();
    cache.set('a', 1, cache.ticket());
    cache.set('b', 2, cache.ticket());
    cache.set('c', 3, cache.ticket());
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
    vi.advanceTimersByTime(60_001);
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps the answers within its byte budget, dropping the least recently used first', () => {
    // Each answer counts its length in bytes, and its key twice its length: "a" + 100 = 102 bytes.
    const cache = new AnswerCache<string>({ maxBytes: 350, sizeOf: (value) => value.length });
    cache.enable();
    const hundred = (c: string) => c.repeat(100);
    cache.set('a', hundred('a'), cache.ticket());
    cache.set('b', hundred('b'), cache.ticket());
    cache.set('c', hundred('c'), cache.ticket());
    expect(cache.bytes).toBe(306);
    // "a" is used, so "b" is now the least recently used and goes when "d" needs room.
    expect(cache.get('a')).toBe(hundred('a'));
    cache.set('d', hundred('d'), cache.ticket());
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).toEqual([hundred('a'), undefined, hundred('c'), hundred('d')]);
    expect(cache.bytes).toBe(306);
    // An answer larger than the whole budget is not kept, and takes nothing from the others.
    cache.set('e', 'e'.repeat(400), cache.ticket());
    expect([cache.get('e'), cache.size]).toEqual([undefined, 3]);
    // Replacing an answer counts its new size once.
    cache.set('a', 'a', cache.ticket());
    expect(cache.bytes).toBe(306 - 100 + 1);
    cache.forget();
    expect([cache.bytes, cache.size]).toEqual([0, 0]);
  });

  it('evicts in exactly least-recently-used order through any mix of hits, misses, replacements and evictions', () => {
    const cache = new AnswerCache<number>({ maxEntries: 5 });
    cache.enable();
    // The model: keys in order of use, least recent first.
    let model: string[] = [];
    let seed = 5;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 5_000; n++) {
      const key = `k${Math.floor(next() * 9)}`;
      if (next() < 0.5) {
        const known = model.includes(key);
        expect(cache.get(key) !== undefined, `${n} get ${key}`).toBe(known);
        if (known) model = [...model.filter((k) => k !== key), key];
      } else {
        cache.set(key, n, cache.ticket());
        model = model.filter((k) => k !== key);
        if (model.length >= 5) model.shift();
        model.push(key);
      }
      expect(cache.size).toBe(model.length);
    }
  });

  it('once full, keeps a new answer only if its question was asked before, without displacing any for a one-off', () => {
    let measured = 0;
    const cache = new AnswerCache<number>({ maxEntries: 3, whenFullOnlyAskedAgain: true, sizeOf: () => (measured++, 8) });
    cache.enable();
    // Not full: every answer is kept, as always.
    for (const key of ['a', 'b', 'c']) cache.set(key, 1, cache.ticket());
    expect(cache.size).toBe(3);
    // Full: a question asked once is answered but not kept, and every remembered answer stays.
    cache.set('d', 4, cache.ticket());
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).toEqual([1, 1, 1, undefined]);
    // Asked again: kept, displacing the least recently used ("a").
    cache.set('d', 4, cache.ticket());
    expect([cache.get('a'), cache.get('d'), cache.size]).toEqual([undefined, 4, 3]);
    // A remembered answer is replaced whether or not the cache is full.
    cache.set('d', 5, cache.ticket());
    expect(cache.get('d')).toBe(5);
    // Many one-off questions later, "b", "c" and "d" are all still remembered.
    const measuredBefore = measured;
    for (let n = 0; n < 1_000; n++) cache.set(`once ${n}`, n, cache.ticket());
    expect([cache.get('b'), cache.get('c'), cache.get('d'), cache.size]).toEqual([1, 1, 5, 3]);
    // Nor were they measured: with every place taken, a one-off is turned away before its size is worked out.
    expect(measured).toBe(measuredBefore);
  });

  it('ignores the change notices of tables no answer shows, and forgets on any other', () => {
    const cache = new AnswerCache<string>({ unaffectedBy: ['kpi_values'] });
    cache.enable();
    cache.set('nps', 'Net Promoter Score', cache.ticket());
    cache.changed('kpi_values');
    expect(cache.get('nps')).toBe('Net Promoter Score');
    cache.changed('people');
    expect(cache.get('nps')).toBeUndefined();
  });
});
