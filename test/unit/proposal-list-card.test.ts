import { describe, expect, it } from 'vitest';
import { listCard } from '../../src/proposals/cards.js';

describe('proposal list card', () => {
  const entry = { id: 'p1', number: 1, title: 'Call every new customer in their first week', status: 'open' as const, deadline: new Date('2026-12-10T07:22:00Z') };

  it('ends with an example that names a proposal of the list', () => {
    const text = JSON.stringify(listCard([entry], [], { timeZone: 'Europe/Amsterdam', boardMember: false }));
    expect(text).toContain('proposal show 1');
    expect(text).not.toContain('proposal show 17');
  });

  it('says plainly that a number goes there when the list is empty', () => {
    expect(JSON.stringify(listCard([], [], { timeZone: 'Europe/Amsterdam', boardMember: false }))).toContain('proposal show <number>');
  });

  it('shows the deadline in the organisation’s time zone', () => {
    expect(JSON.stringify(listCard([entry], [], { timeZone: 'Europe/Amsterdam', boardMember: false }))).toContain('Thu 10 Dec, 08:22');
  });
});
