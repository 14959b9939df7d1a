// Pure glossary logic: normalisation, ranking and its confidence rule, the command grammar, field-wise
// changes, CSV rows and formula neutralisation, and what user text becomes on Slack and Teams.
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../src/chat/errors.js';
import { renderAdaptiveCard } from '../../src/teams/adaptive-card.js';
import { fallbackText, renderBlocks } from '../../src/slack/blocks.js';
import { LIMITS } from '../../src/chat/limits.js';
import { candidatesCard, formatDate, historyCard, termCard, type TermCardView } from '../../src/glossary/cards.js';
import { applyChanges, diffContent, hasChanges } from '../../src/glossary/changes.js';
import { parseGlossaryCsv } from '../../src/glossary/csv.js';
import { spreadsheetSafe as neutraliseCell } from '../../src/csv/spreadsheet-safety.js';
import { fold, foldUnicode, matchKey, matchTokens, normalise, singular } from '../../src/glossary/matching/normalise.js';
import { characterKinds, decide, editDistance, editDistanceTable, editsAtLeast, editSimilarity, prepareQuery, rankCandidates, scoreText, type Candidate } from '../../src/glossary/matching/ranking.js';
import { afterPrefix } from '../../src/glossary/matching/lookup-repo.js';
import { parseGlossaryArgs, termFormValues } from '../../src/glossary/schema.js';

describe('normalise', () => {
  it('folds case, accents, punctuation and spacing', () => {
    expect(normalise('  Nét-Promoter__Scóre! ')).toBe('net promoter score');
    expect(normalise('Voice of the Cüstomer')).toBe('voice of the customer');
    expect(normalise("customer's journey")).toBe('customers journey');
    expect(normalise('Straße Æsop')).toBe('strasse aesop');
    expect(normalise('!!!')).toBe('');
  });

  it('folds printable ASCII the cheaper way exactly as any text is folded', () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    for (const c of printable) {
      for (const text of [c, `Net${c}Promoter`, ` ${c}${c} score${c}`, `${c}NPS${c}`]) expect(fold(text), JSON.stringify(text)).toBe(foldUnicode(text));
    }
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 2_000; n++) {
      const text = Array.from({ length: Math.floor(next() * 40) }, () => printable[Math.floor(next() * printable.length)]).join('');
      expect(fold(text), JSON.stringify(text)).toBe(foldUnicode(text));
    }
    // Anything else still goes the whole way.
    expect([fold('Nét\u00a0Promoter'), fold('Straße'), fold('tab\tsep')]).toEqual(['net promoter', 'strasse', 'tab sep']);
  });

  it('gives word order and plurals the same key', () => {
    expect(matchKey(normalise('score promoters net'))).toBe(matchKey(normalise('Net Promoter Score')));
    expect(matchKey(normalise('moments of truth'))).toBe(matchKey(normalise('Moment of truth')));
    expect(matchKey(normalise('companies'))).toBe('company');
  });

  it('keys words as sorting their singular, meaningful forms would, however many and in whatever script', () => {
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const words = ['the', 'of', 'nps', 'scores', 'classes', 'status', 'analysis', 'companies', 'éclair', 'Ωmega', 'zeta', 'a', 'de', '42', 'b2b', 'Z', 'z'];
    for (let n = 0; n < 5_000; n++) {
      const text = normalise(Array.from({ length: Math.floor(next() * 22) }, () => words[Math.floor(next() * words.length)]).join(' '));
      const tokens = text.split(' ').filter(Boolean).map(singular);
      const meaningful = tokens.filter((w) => !['a', 'an', 'and', 'of', 'or', 'the', 'to', 'for', 'in', 'on', 'de', 'het', 'een', 'en', 'van', 'voor'].includes(w));
      expect(matchTokens(text), text).toEqual(meaningful.length > 0 ? meaningful : tokens);
      expect(matchKey(text), text).toBe([...matchTokens(text)].sort().join(' '));
    }
    expect(['classes', 'status', 'analysis', 'policies', 'pie', 'bus'].map(singular)).toEqual(['classe', 'status', 'analysis', 'policy', 'pie', 'bus']);
  });
});

describe('ranking', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('scroe', 'score')).toBe(1);
    expect(editDistance('nps', 'nsp')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('gives the same distance with a bound wherever it is within the bound, and more than the bound elsewhere', () => {
    // Random words over a small alphabet, so swaps, repeats and near misses are common.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const word = () => Array.from({ length: Math.floor(next() * 12) }, () => 'abcde'[Math.floor(next() * 5)]).join('');
    for (let n = 0; n < 20_000; n++) {
      const a = word();
      const b = word();
      const max = Math.floor(next() * 6);
      const exact = editDistance(a, b);
      const bounded = editDistance(a, b, max);
      if (exact <= max) expect(bounded, `${a} ${b} ${max}`).toBe(exact);
      else expect(bounded, `${a} ${b} ${max}`).toBeGreaterThan(max);
      const atLeast = next();
      const similarity = editSimilarity(a, b, atLeast);
      const full = editSimilarity(a, b);
      expect(similarity, `${a} ${b} ${atLeast}`).toBe(full >= atLeast ? full : 0);
    }
  });

  it('gives the table’s distance from the bits, whatever the lengths (up to the 32 a column of bits holds, and past them)', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    // Two or three letters make swaps and repeats common; some strings are longer than 32; é and ω
    // (beyond one byte, so the table's way) now and then.
    const word = (letters: string, longest: number) => Array.from({ length: Math.floor(next() * longest) }, () => letters[Math.floor(next() * letters.length)]).join('');
    for (let n = 0; n < 30_000; n++) {
      const letters = n % 3 === 0 ? 'ab' : n % 3 === 1 ? 'abc' : n % 50 === 2 ? 'abeéω' : 'abcdefgh';
      const longest = n % 4 === 0 ? 45 : 34;
      const a = word(letters, longest);
      const b = word(letters, longest);
      expect(editDistance(a, b), `${a} ${b}`).toBe(editDistanceTable(a, b));
      const max = Math.floor(next() * 8);
      expect(editDistance(a, b, max), `${a} ${b} ${max}`).toBe(Math.min(editDistanceTable(a, b), max + 1));
    }
    expect(editDistance('ab'.repeat(16), 'ba'.repeat(16))).toBe(2);
    expect(editDistance('a'.repeat(32), 'a'.repeat(31) + 'b')).toBe(1);
  });

  it('rules a pair out by its kinds of character only where the distance is beyond reach anyway', () => {
    let seed = 29;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    // Letters, digits (which share bits with letters), a space and letters beyond one byte.
    const word = (letters: string) => Array.from({ length: 1 + Math.floor(next() * 12) }, () => letters[Math.floor(next() * letters.length)]).join('');
    // Pairs whose kinds of character alone differ: often enough that the bound is put to the test.
    let apartByKinds = 0;
    for (let n = 0; n < 30_000; n++) {
      const letters = n % 4 === 0 ? 'abcdefghijklmnopqrstuvwxyz' : n % 4 === 1 ? 'abcpq019' : n % 4 === 2 ? 'ab cd' : 'abeéωz';
      const a = word(letters);
      const b = n % 5 === 0 ? a.slice(1) + a[0] : word(letters);
      const kinds = { a: characterKinds(a), b: characterKinds(b) };
      expect(editsAtLeast(kinds.a, kinds.b), `${a} ${b}`).toBeLessThanOrEqual(editDistanceTable(a, b));
      const atLeast = [0.4, 0.6, 0.8][n % 3]!;
      const similarity = editSimilarity(a, b, atLeast, kinds.a, kinds.b);
      expect(similarity, `${a} ${b} ${atLeast}`).toBe(editSimilarity(a, b, atLeast));
      if (similarity === 0 && editsAtLeast(kinds.a, kinds.b) > 0) apartByKinds++;
    }
    expect(apartByKinds).toBeGreaterThan(1_000);
    expect(editsAtLeast(characterKinds('churn'), characterKinds('chrun'))).toBe(0);
    expect(editsAtLeast(characterKinds('rate'), characterKinds('xyz'))).toBe(4);
  });

  it('scores equality 1, word order 0.97, and typos below that', () => {
    expect(scoreText(prepareQuery('NPS'), 'nps')).toBe(1);
    expect(scoreText(prepareQuery('score promoter net'), 'net promoter score')).toBe(0.97);
    const typo = scoreText(prepareQuery('net promotor scroe'), 'net promoter score');
    expect(typo).toBeGreaterThan(0.82);
    expect(typo).toBeLessThan(0.96);
  });

  const candidate = (termId: string, name: string, text: string, status: Candidate['status'] = 'approved'): Candidate => ({ termId, name, status, text, kind: 'name', summary: '' });

  it('answers only with a clear lead; ties become candidates, ordered approved first then by name', () => {
    const query = prepareQuery('rate');
    const ranked = rankCandidates(query, [candidate('b', 'Contact rate', 'contact rate'), candidate('a', 'Churn rate', 'churn rate'), candidate('c', 'Old rate', 'old rate', 'deprecated')]);
    expect(ranked.map((r) => r.name)).toEqual(['Churn rate', 'Contact rate', 'Old rate']);
    expect(decide(ranked).kind).toBe('candidates');
    const clear = rankCandidates(prepareQuery('churn rat'), [candidate('a', 'Churn rate', 'churn rate'), candidate('b', 'Contact rate', 'contact rate')]);
    const decision = decide(clear);
    expect(decision.kind).toBe('confident');
  });

  it('offers nothing for a query that resembles nothing', () => {
    const ranked = rankCandidates(prepareQuery('kubernetes'), [candidate('a', 'Churn rate', 'churn rate')]);
    expect(decide(ranked).kind).toBe('none');
  });
});

describe('prefix ranges', () => {
  it('bounds every text that begins with a prefix, and nothing after it', () => {
    expect(afterPrefix('nps')).toBe('npt');
    expect(afterPrefix('ab9')).toBe('ab:');
    expect(afterPrefix('café')).toBe('cafê');
    expect(afterPrefix('a\u{d7ff}')).toBe('a\u{e000}');
    for (const text of ['nps', 'npszzzz', 'nps\u{10000}']) expect(text >= 'nps' && text < afterPrefix('nps')).toBe(true);
    expect('npt' < afterPrefix('nps')).toBe(false);
  });
});

describe('command grammar', () => {
  it('reads every verb the same way on both platforms', () => {
    expect(parseGlossaryArgs('')).toEqual({ kind: 'overview' });
    expect(parseGlossaryArgs('net promoter score')).toEqual({ kind: 'lookup', query: 'net promoter score' });
    expect(parseGlossaryArgs('search recommend friend')).toEqual({ kind: 'search', text: 'recommend friend' });
    expect(parseGlossaryArgs('propose Churn = Share of customers who leave')).toEqual({ kind: 'propose', name: 'Churn', definition: 'Share of customers who leave' });
    expect(parseGlossaryArgs('propose a = b = c')).toEqual({ kind: 'propose', name: 'a', definition: 'b = c' });
    expect(parseGlossaryArgs('PROPOSE')).toEqual({ kind: 'propose' });
    expect(parseGlossaryArgs('alias promoter score = NPS')).toEqual({ kind: 'alias', alias: 'promoter score', term: 'NPS' });
    expect(parseGlossaryArgs('history nps')).toEqual({ kind: 'history', term: 'nps' });
    expect(parseGlossaryArgs('recent')).toEqual({ kind: 'recent', count: 10 });
    expect(parseGlossaryArgs('recent 5')).toEqual({ kind: 'recent', count: 5 });
    expect(parseGlossaryArgs('stats')).toEqual({ kind: 'stats' });
    expect(parseGlossaryArgs('deprecate Customer satisfaction = CSAT')).toEqual({ kind: 'deprecate', term: 'Customer satisfaction', replacement: 'CSAT' });
  });

  it('refuses malformed commands with the usage', () => {
    expect(() => parseGlossaryArgs('recent lots')).toThrow(/whole number from 1 to 50/);
    expect(() => parseGlossaryArgs('recent 500')).toThrow(InvalidInput);
    expect(() => parseGlossaryArgs('alias nps')).toThrow(/alias and its term/);
    expect(() => parseGlossaryArgs('history')).toThrow(/Say which term/);
    expect(() => parseGlossaryArgs('propose = only a definition')).toThrow(/before the “=”/);
    expect(() => parseGlossaryArgs('x'.repeat(201))).toThrow(/at most 200/);
  });

  it('names the limit when a form value is too long', () => {
    const result = termFormValues.safeParse({ term_name: 'x'.repeat(121), term_definition: 'ok' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('The term is 121 characters long; the limit is 120.');
    const definition = termFormValues.safeParse({ term_name: 'ok', term_definition: 'd'.repeat(2001) });
    expect(definition.error?.issues[0]?.message).toBe('The definition is 2,001 characters long; the limit is 2,000.');
    const notes = termFormValues.safeParse({ term_name: 'ok', term_definition: 'ok', term_notes: 'n'.repeat(2345) });
    expect(notes.error?.issues[0]?.message).toBe('The notes is 2,345 characters long; the limit is 2,000.');
    const link = termFormValues.safeParse({ term_name: 'ok', term_definition: 'ok', term_links: 'javascript:alert(1)' });
    expect(link.error?.issues[0]?.message).toContain('is not a web link');
  });
});

describe('field-wise changes', () => {
  const current = { name: 'NPS', definition: 'old', notes: 'n', links: [], aliases: ['Net Promoter', 'promoter score'] };

  it('records only what differs, aliases by their normalised form', () => {
    const changes = diffContent(current, { ...current, definition: 'new', aliases: ['net promoter', 'Promoter index'] });
    expect(changes).toEqual({ definition: 'new', aliasesAdd: ['Promoter index'], aliasesRemove: ['promoter score'] });
    expect(hasChanges(diffContent(current, { ...current }))).toBe(false);
  });

  it('keeps both of two edits to different fields, applied one after the other', () => {
    const first = applyChanges(current, { definition: 'from Ann', aliasesAdd: [], aliasesRemove: [] });
    const second = applyChanges(first, { notes: 'from Bob', aliasesAdd: ['NPS score'], aliasesRemove: [] });
    expect(second).toMatchObject({ definition: 'from Ann', notes: 'from Bob', aliases: ['Net Promoter', 'promoter score', 'NPS score'] });
  });
});

describe('CSV', () => {
  const header = 'term,aliases,definition,notes,steward,status';

  it('reports each bad cell with its row and column, and accepts nothing from a bad file', () => {
    const csv = [header, `NPS,,Fine,,a@example.com,approved`, `,x,Missing name,,,`, `Long,,${'d'.repeat(2001)},,not-an-email,maybe`].join('\n');
    const { rows, problems } = parseGlossaryCsv(csv);
    expect(rows).toHaveLength(1);
    expect(problems).toEqual([
      { row: 3, column: 'term', problem: 'The term is empty.' },
      { row: 4, column: 'definition', problem: 'The definition is 2,001 characters long; the limit is 2,000.' },
      { row: 4, column: 'steward', problem: 'steward is not an e-mail address' },
      { row: 4, column: 'status', problem: 'status must be proposed, approved or deprecated' },
    ]);
  });

  it('refuses a header without the shared columns', () => {
    const { problems } = parseGlossaryCsv('name,definition\nx,y');
    expect(problems.map((p) => p.column)).toEqual(expect.arrayContaining(['term', 'aliases', 'steward', 'status', 'name']));
  });

  it('neutralises formula-like cells on export and takes the quote off again on import', () => {
    expect(neutraliseCell('=HYPERLINK("https://evil")')).toBe('\'=HYPERLINK("https://evil")');
    expect(neutraliseCell('+1')).toBe("'+1");
    expect(neutraliseCell('-100 to +100')).toBe("'-100 to +100");
    expect(neutraliseCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseCell('Plain text')).toBe('Plain text');
    const { rows } = parseGlossaryCsv(`${header}\n"'=cmd",,"'-1 means none",,,`);
    expect(rows[0]).toMatchObject({ term: '=cmd', definition: '-1 means none' });
  });
});

describe('card dates', () => {
  it('shows each instant as the date of its time zone, the same instant again as before, a changed one anew', () => {
    const intl = (date: Date, timeZone: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(date);
    // 23:30 UTC is already the next day in Amsterdam; repeats, alternations and a move of one millisecond.
    const instants = ['2026-03-12T23:30:00Z', '2026-03-12T23:30:00Z', '2026-03-13T00:00:00Z', '2026-03-12T23:30:00Z', '2026-03-12T23:59:59.999Z', '2026-03-13T00:00:00.000Z'];
    for (const timeZone of ['UTC', 'Europe/Amsterdam', 'America/Los_Angeles', 'UTC']) {
      for (const iso of instants) expect(formatDate(new Date(iso), timeZone)).toBe(intl(new Date(iso), timeZone));
    }
    expect([formatDate(new Date('2026-03-12T23:30:00Z'), 'UTC'), formatDate(new Date('2026-03-12T23:30:00Z'), 'Europe/Amsterdam')]).toEqual(['12 Mar 2026', '13 Mar 2026']);
    // A zone Intl does not know is shown in UTC.
    expect(formatDate(new Date('2026-03-12T23:30:00Z'), 'Mars/Olympus_Mons')).toBe('12 Mar 2026');
  });
});

describe('rendering what users typed', () => {
  const hostile = '<!channel> <@U123> <https://evil.example|bank> @everyone *bold* _it_ `code` ${createdBy} {{name}} [link](https://evil.example)';
  const view: TermCardView = {
    id: '11111111-1111-4111-8111-111111111111',
    name: `Evil ${hostile}`.slice(0, 120),
    definition: hostile,
    notes: hostile,
    links: [],
    status: 'approved',
    version: 3,
    updatedAt: new Date('2026-03-12T10:00:00Z'),
    timeZone: 'Europe/Amsterdam',
    aliases: ['<!here>', '@channel'],
    pendingProposals: 0,
  };

  /** Every object in a rendered message with the given `type`. */
  function objectsOfType(value: unknown, type: string, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
    if (Array.isArray(value)) for (const item of value) objectsOfType(item, type, found);
    else if (value && typeof value === 'object') {
      const record = Object.fromEntries(Object.entries(value));
      if (record.type === type) found.push(record);
      for (const child of Object.values(record)) objectsOfType(child, type, found);
    }
    return found;
  }

  it('keeps Slack from mentioning, linking or formatting anything', () => {
    const card = termCard(view, { mode: 'private' });
    const blocks = renderBlocks(card);
    // Slack parses control sequences only in mrkdwn; there, everything typed is escaped.
    for (const mrkdwn of objectsOfType(blocks, 'mrkdwn')) expect(String(mrkdwn.text)).not.toMatch(/<!|<@|<http/);
    // Elsewhere the text is a literal run: no user, broadcast or link elements come out of it.
    expect(objectsOfType(blocks, 'user')).toEqual([]);
    expect(objectsOfType(blocks, 'broadcast')).toEqual([]);
    expect(objectsOfType(blocks, 'link')).toEqual([]);
    expect(objectsOfType(blocks, 'text').map((t) => t.text)).toContain(hostile);
    expect(fallbackText(card)).not.toMatch(/<!|<@|<http/);
  });

  it('keeps Teams from evaluating expressions or markdown', () => {
    const rendered = JSON.stringify(renderAdaptiveCard(termCard(view, { mode: 'private' })));
    expect(rendered).not.toContain('${createdBy}');
    expect(rendered).toContain('TextRun');
    expect(rendered).not.toMatch(/"type":"TextBlock"/);
  });

  it('shows "version 3 · updated 12 Mar 2026"', () => {
    const card = termCard(view, { mode: 'private' });
    expect(card.subtitle?.map((r) => ('text' in r ? r.text : '')).join('')).toBe('Approved · version 3 · updated 12 Mar 2026');
  });

  it('counts a history of one version as one version', () => {
    const entry = { version: 1, name: 'n', definition: 'd', status: 'approved' as const, change: 'created' as const, by: 'Ann', rolledBackTo: null, createdAt: new Date() };
    expect(historyCard({ id: view.id, name: 'NPS', version: 1 }, [entry], { timeZone: 'UTC', total: 1, canRollBack: false }).summary).toBe('History of NPS: 1 version, now at version 1.');
    expect(historyCard({ id: view.id, name: 'NPS', version: 2 }, [entry], { timeZone: 'UTC', total: 2, canRollBack: false }).summary).toBe('History of NPS: 2 versions, now at version 2.');
  });

  it('stays within both platforms\' limits however long the content and however many candidates', () => {
    const long: TermCardView = { ...view, definition: 'd'.repeat(2000), notes: 'n'.repeat(2000), aliases: Array.from({ length: 100 }, (_, i) => `alias number ${i} ${'x'.repeat(100)}`) };
    for (const card of [
      termCard(long, { mode: 'private' }),
      termCard(long, { mode: 'compact' }),
      candidatesCard('q'.repeat(200), Array.from({ length: 50 }, (_, i) => ({ termId: view.id, name: `Term ${i} ${'n'.repeat(110)}`, status: 'approved' as const, definition: 'd'.repeat(200) })), { timeZone: 'UTC' }),
      historyCard({ id: view.id, name: 'x'.repeat(120), version: 40 }, Array.from({ length: 40 }, (_, i) => ({ version: 40 - i, name: 'n', definition: 'd'.repeat(2000), status: 'approved' as const, change: 'edited' as const, by: 'Ann', rolledBackTo: null, createdAt: new Date() })), { timeZone: 'UTC', total: 40, canRollBack: true }),
    ]) {
      const blocks = renderBlocks(card);
      expect(blocks.length).toBeLessThanOrEqual(50);
      for (const block of blocks) {
        if (block.type === 'section' && 'fields' in block) for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(LIMITS.slackField);
      }
      expect(Buffer.byteLength(JSON.stringify(renderAdaptiveCard(card)))).toBeLessThanOrEqual(LIMITS.teamsCardBytes);
    }
  });
});
