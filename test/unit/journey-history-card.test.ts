// The journey history card: each ping's steps in one line (a round to owner and deputy is one step,
// deliveries in a row one "delivered"), the "more" lines, and the card within Slack's and Teams'
// limits with 20 changes and 20 long pings.
import { describe, expect, it } from 'vitest';
import { plainText, type Card, type PersonRef } from '../../src/chat/card.js';
import { LIMITS } from '../../src/chat/limits.js';
import { journeyHistoryCard } from '../../src/pings/history-card.js';
import type { JourneyHistoryView, PingSummary } from '../../src/pings/history-view.js';
import type { PingHistoryLine } from '../../src/pings/view.js';
import { formatWhen } from '../../src/journeys/settings.js';
import { renderBlocks } from '../../src/slack/blocks.js';
import { renderAdaptiveCard } from '../../src/teams/adaptive-card.js';

const TZ = 'Europe/Brussels';
const at = (iso: string) => new Date(iso);
const person = (name: string, slackUserId?: string): PersonRef => ({ name, ...(slackUserId ? { slackUserId } : {}) });
const ann = person('Ann Sender', 'UANN');
const olga = person('Olga Owner', 'UOLGA');
const dep = person('Derek Deputy', 'UDEP');
const dana = person('Dana Director', 'UDANA');

const journey = {
  id: '00000000-0000-4000-8000-000000000001',
  orgId: '00000000-0000-4000-8000-000000000002',
  key: 'onboarding',
  name: 'Welcome journey',
  level: 'journey' as const,
  parentId: null,
  ownerPersonId: null,
  deputyPersonId: null,
  description: null,
  channelConversationId: null,
};

function ping(steps: PingHistoryLine[], extra: Partial<PingSummary> = {}): PingSummary {
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    reason: 'manual',
    message: 'Avoidable calls doubled',
    state: 'acknowledged',
    from: ann,
    holder: dana,
    snoozedUntil: null,
    exhaustedAt: null,
    createdAt: at('2027-03-12T09:00:00Z'),
    steps,
    ...extra,
  };
}

function view(extra: Partial<JourneyHistoryView>): JourneyHistoryView {
  return { journey, changes: [], changesTotal: 0, pings: [], pingsTotal: 0, timeZone: TZ, ...extra };
}

function listItems(card: Card): string[] {
  return card.blocks.flatMap((b) => (b.kind === 'list' ? b.items.map(plainText) : []));
}

describe('journey history card', () => {
  it('tells a ping in one line: state, message, sender, then each step once, oldest first', () => {
    const sent = at('2027-03-12T09:00:00Z');
    const escalated = at('2027-03-13T09:00:00Z');
    const acknowledged = at('2027-03-13T10:02:00Z');
    const card = journeyHistoryCard(
      view({
        pingsTotal: 1,
        pings: [
          ping([
            { kind: 'sent', level: 0, at: sent, to: olga },
            { kind: 'sent', level: 0, at: sent, to: dep },
            { kind: 'delivered', level: 0, at: at('2027-03-12T09:00:01Z'), to: olga },
            { kind: 'delivered', level: 0, at: at('2027-03-12T09:00:02Z'), to: dep },
            { kind: 'escalated', level: 1, at: escalated, to: dana, toJourneyName: 'Customer lifecycle' },
            { kind: 'sent', level: 1, at: escalated, to: dana },
            { kind: 'acknowledged', level: 1, at: acknowledged, actor: dana },
          ]),
        ],
      }),
    );
    expect(listItems(card)).toEqual([
      `Acknowledged · “Avoidable calls doubled” · from @Ann Sender · sent to @Olga Owner and @Derek Deputy ${formatWhen(sent, TZ)} · delivered · ` +
        `escalated to @Dana Director (owner of Customer lifecycle) ${formatWhen(escalated, TZ)} · acknowledged by @Dana Director ${formatWhen(acknowledged, TZ)}`,
    ]);
  });

  it('names the admins a ping went to when nobody above could be reached, after an escalation', () => {
    const sent = at('2027-03-12T09:00:00Z');
    const escalated = at('2027-03-12T09:00:05Z');
    const toAdmins = at('2027-03-12T09:00:09Z');
    const admin = person('Alex Admin', 'UALEX');
    const card = journeyHistoryCard(
      view({
        pingsTotal: 1,
        pings: [
          ping(
            [
              { kind: 'sent', level: 0, at: sent, to: olga },
              { kind: 'undelivered', level: 0, at: escalated, to: olga, note: 'no Slack account' },
              { kind: 'escalated', level: 1, at: escalated, to: dana, toJourneyName: 'Customer lifecycle', note: 'Olga Owner cannot be reached: no Slack account' },
              { kind: 'sent', level: 1, at: escalated, to: dana },
              { kind: 'undelivered', level: 1, at: toAdmins, to: dana, note: 'no Slack account' },
              { kind: 'sent', level: 1, at: toAdmins, to: admin },
              { kind: 'delivered', level: 1, at: at('2027-03-12T09:00:10Z'), to: admin },
            ],
            { state: 'sent', holder: dana },
          ),
        ],
      }),
    );
    const [line] = listItems(card);
    expect(line).toContain(
      `sent to @Olga Owner ${formatWhen(sent, TZ)} · could not reach @Olga Owner · escalated to @Dana Director (owner of Customer lifecycle) ${formatWhen(escalated, TZ)} · ` +
        `could not reach @Dana Director · sent to @Alex Admin ${formatWhen(toAdmins, TZ)} · delivered`,
    );
  });

  it('keeps the first and the latest steps of a long story, and says how many are left out', () => {
    const steps: PingHistoryLine[] = [{ kind: 'sent', level: 0, at: at('2027-03-01T09:00:00Z'), to: olga }];
    for (let day = 2; day <= 9; day++) {
      steps.push({ kind: 'snoozed', level: 0, at: at(`2027-03-0${day}T09:00:00Z`), actor: olga }, { kind: 'reminded', level: 0, at: at(`2027-03-0${day}T10:00:00Z`), to: olga });
    }
    const [line] = listItems(journeyHistoryCard(view({ pingsTotal: 1, pings: [ping(steps, { state: 'sent', holder: olga })] })));
    expect(line).toMatch(/^Waiting for acknowledgement · with @Olga Owner · “Avoidable calls doubled” · from @Ann Sender · sent to @Olga Owner [^·]+ · … 11 more steps · snooze over, reminded @Olga Owner /);
    expect(line).toContain(`snooze over, reminded @Olga Owner ${formatWhen(at('2027-03-09T10:00:00Z'), TZ)}`);
  });

  it('says how many older changes and pings there are beyond the latest shown', () => {
    const change = { what: { kind: 'owner' as const, from: olga, to: dana }, at: at('2027-03-12T09:00:00Z'), by: ann };
    const card = journeyHistoryCard(view({ changes: [change], changesTotal: 21, pings: [ping([])], pingsTotal: 45 }));
    const text = card.blocks.map((b) => (b.kind === 'context' || b.kind === 'text' ? plainText(b.text) : '')).join('\n');
    expect(text).toContain('20 older changes not shown.');
    expect(text).toContain('44 older pings not shown.');
    expect(listItems(card)[0]).toBe(`${formatWhen(change.at, TZ)} — owner changed from @Olga Owner to @Dana Director · by @Ann Sender`);
  });

  it('stays within Slack’s and Teams’ limits with 20 changes and 20 pings of long messages and long stories', () => {
    const long = (i: number) => person(`Someone with a fairly long display name ${i}`, `U${String(i).padStart(8, '0')}`);
    const changes = Array.from({ length: 20 }, (_, i) => ({
      what: i % 2 ? { kind: 'owner' as const, from: long(i), to: long(i + 1) } : { kind: 'moved' as const, fromName: 'J'.repeat(120), toName: 'K'.repeat(120) },
      at: at('2027-03-12T09:00:00Z'),
      by: long(i + 2),
    }));
    const pings = Array.from({ length: 20 }, (_, i) =>
      ping(
        [
          { kind: 'sent', level: 0, at: at('2027-03-12T09:00:00Z'), to: long(i) },
          { kind: 'sent', level: 0, at: at('2027-03-12T09:00:00Z'), to: long(i + 1) },
          ...Array.from({ length: 10 }, (_, level) => ({ kind: 'escalated' as const, level: level + 1, at: at(`2027-03-${String(13 + level)}T09:00:00Z`), to: long(level), actor: long(level + 1), toJourneyName: 'L'.repeat(120) })),
          { kind: 'resolved', level: 10, at: at('2027-03-30T09:00:00Z'), actor: long(i), note: 'N'.repeat(2000) },
        ],
        { state: 'resolved', message: 'M'.repeat(2000), from: long(i + 3) },
      ),
    );
    const card = journeyHistoryCard(view({ journey: { ...journey, name: 'W'.repeat(120) }, changes, changesTotal: 300, pings, pingsTotal: 300 }), { closestFor: 'x'.repeat(500) });

    const blocks = renderBlocks(card);
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.slackBlocks);
    const slack = JSON.stringify(blocks);
    expect(slack).not.toContain('more not shown');
    expect(slack.length).toBeLessThan(40_000);

    const teams = JSON.stringify(renderAdaptiveCard(card));
    expect(Buffer.byteLength(teams)).toBeLessThanOrEqual(LIMITS.teamsCardBytes);
    expect(teams).not.toContain('more not shown');
    // Not all 20 fit: the lines stop at the budget and the count says so, instead of the card's end being cut off.
    const shown = card.blocks.filter((b) => b.kind === 'list').at(-1);
    const count = shown?.kind === 'list' ? shown.items.length : 0;
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(20);
    expect(teams).toContain(`${300 - count} older pings not shown.`);
    expect(teams).toContain('journey ping onboarding');
  });

  it('shows all the changes and the 20 latest pings of an ordinary story', () => {
    const people = [ann, olga, dep, dana];
    const changes = Array.from({ length: 10 }, (_, i) => ({ what: { kind: 'owner' as const, from: people[i % 4]!, to: people[(i + 1) % 4]! }, at: at('2027-03-12T09:00:00Z'), by: dana }));
    const pings = Array.from({ length: 20 }, (_, i) =>
      ping(
        [
          { kind: 'sent', level: 0, at: at('2027-03-12T09:00:00Z'), to: olga },
          { kind: 'sent', level: 0, at: at('2027-03-12T09:00:00Z'), to: dep },
          { kind: 'delivered', level: 0, at: at('2027-03-12T09:00:01Z'), to: olga },
          { kind: 'delivered', level: 0, at: at('2027-03-12T09:00:01Z'), to: dep },
          ...(i % 4 === 0 ? [{ kind: 'escalated' as const, level: 1, at: at('2027-03-13T09:00:00Z'), to: dana, toJourneyName: 'Customer lifecycle' }] : []),
          { kind: 'acknowledged', level: i % 4 === 0 ? 1 : 0, at: at('2027-03-14T12:00:00Z'), actor: i % 4 === 0 ? dana : olga },
        ],
        { message: `${'Avoidable calls about the welcome gift doubled this week. '.repeat(40)}${i}` },
      ),
    );
    const card = journeyHistoryCard(view({ changes, changesTotal: 10, pings, pingsTotal: 20 }));
    expect(card.blocks.filter((b) => b.kind === 'list').map((b) => (b.kind === 'list' ? b.items.length : 0))).toEqual([10, 20]);
    expect(JSON.stringify(card)).not.toContain('not shown');
    const teams = JSON.stringify(renderAdaptiveCard(card));
    expect(Buffer.byteLength(teams)).toBeLessThanOrEqual(LIMITS.teamsCardBytes);
    expect(teams).not.toContain('more not shown');
    expect(JSON.stringify(renderBlocks(card))).not.toContain('more not shown');
  });
});
