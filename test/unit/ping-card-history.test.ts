// A ping card's history: the first round and any round sent without an escalation (to the admins,
// when nobody above could be reached) each get a "sent to" line; a round an escalation sent is told
// by its "escalated to" line alone.
import { describe, expect, it } from 'vitest';
import { plainText, type PersonRef } from '../../src/chat/card.js';
import { historyBlock } from '../../src/pings/cards.js';
import type { PingHistoryLine, PingView } from '../../src/pings/view.js';

const person = (name: string, slackUserId: string): PersonRef => ({ name, slackUserId });
const olga = person('Olga Owner', 'UOLGA');
const dep = person('Derek Deputy', 'UDEP');
const dana = person('Dana Director', 'UDANA');
const ada = person('Ada Admin', 'UADA');
const bo = person('Bo Admin', 'UBO');
const at = (minute: number) => new Date(Date.UTC(2027, 2, 1, 9, minute));

/** The history lines of a card: historyBlock reads a view's history, time zone and delay only. */
function lines(history: PingHistoryLine[]): string[] {
  const view = { history, timeZone: 'UTC', delayHours: 24 } as Pick<PingView, 'history' | 'timeZone' | 'delayHours'> as PingView;
  const block = historyBlock(view);
  if (block?.kind !== 'list') throw new Error('no history list');
  return block.items.map((item) => plainText(item));
}

describe('a ping card’s history', () => {
  it('tells the first round, the escalation (without its round again) and the admins’ round after nobody above could be reached', () => {
    const history: PingHistoryLine[] = [
      { kind: 'sent', level: 0, at: at(0), to: olga },
      { kind: 'sent', level: 0, at: at(0), to: dep },
      { kind: 'delivered', level: 0, at: at(1), to: olga },
      { kind: 'escalated', level: 1, at: at(5), to: dana, toJourneyName: 'Lifecycle' },
      { kind: 'sent', level: 1, at: at(5), to: dana },
      { kind: 'undelivered', level: 1, at: at(6), to: dana, note: 'no Slack account with dana@example.com' },
      { kind: 'sent', level: 1, at: at(6), to: ada },
      { kind: 'sent', level: 1, at: at(6), to: bo },
      { kind: 'delivered', level: 1, at: at(7), to: ada },
    ];
    expect(lines(history).map((line) => line.replace(/^.*? — /, ''))).toEqual([
      'sent to @Olga Owner',
      'sent to @Derek Deputy',
      'delivered to @Olga Owner',
      'escalated to @Dana Director (owner of Lifecycle) — not acknowledged within 24 h',
      'could not reach @Dana Director: no Slack account with dana@example.com',
      'sent to @Ada Admin',
      'sent to @Bo Admin',
      'delivered to @Ada Admin',
    ]);
  });
});
