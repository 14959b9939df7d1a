// Every kind of direct message reaches a person known only by e-mail, on each platform, the first
// time: a KPI breach alert to a journey owner (raised as the KPI alert job raises it), a glossary
// approval request to a term's steward (a colleague's edit, typed in chat), a vote reminder to a board
// member (queued as the reminder job queues it). Nobody of them ever used Steward.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/chat/actor.js';
import { ManualClock } from '../../src/clock.js';
import { queueVoteReminders } from '../../src/governance/reminders.js';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { makeGovernanceChannel } from '../../src/governance/service.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { createPing } from '../../src/pings/service.js';
import { submitProposal } from '../../src/proposals/service.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { postSlack, slashCommandBody } from '../support/slack.js';
import { form } from '../support/proposal-fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const JOURNEYS = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');
const GLOSSARY = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');
const OWNER = 'head-of-onboarding@example.com';
const STEWARD = 'cx-office@example.com';
const BOARD = 'board-member@example.com';
const aad = (name: string) => `00000000-0000-0000-0000-${name.padStart(12, '0')}`;

describe.each(['slack', 'teams'] as const)('%s: every direct message reaches people known only by e-mail', (platform) => {
  let t: TestSteward;
  let clock: ManualClock;
  let orgId: string;

  /** Ann, who has used Steward, types a command. */
  const say = async (text: string) => {
    if (platform === 'slack') {
      const [command = '', ...rest] = text.split(' ');
      const response = await postSlack(t.url, slashCommandBody({ command: `/${command}`, text: rest.join(' '), user_id: 'UANN', response_url: t.slack.responseUrl(`c-${randomUUID()}`) }));
      return response.text();
    }
    const activity = teamsMessage({ text, serviceUrl: t.connector.url, userAad: aad('ann'), userName: 'Ann Sender', conversationId: 'a:personal-ann' });
    await postActivity(t.url, activity);
    return JSON.stringify(t.connector.calls.filter((c) => c.activityId === activity.id).map((c) => c.body));
  };
  /** The direct messages this person received, as JSON. */
  const dms = (who: 'olga' | 'otto' | 'bea') =>
    platform === 'slack'
      ? t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === `U${who.toUpperCase()}`).map((c) => JSON.stringify(c.args.blocks))
      : t.connector.sentToMember(`29:${aad(who)}`).map((c) => JSON.stringify(c.body));
  const waitFor = (predicate: () => boolean) => (platform === 'slack' ? t.slack.waitFor(predicate, 15_000) : t.connector.waitFor(predicate, 15_000));

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await startTestSteward({ clock });
    const db = t.database.db;
    orgId = await t.steward.services.orgs.defaultOrganisation();
    const people = { ann: 'ann@example.com', olga: OWNER, otto: STEWARD, bea: BOARD };
    for (const [who, email] of Object.entries(people)) {
      t.slack.emails.set(`U${who.toUpperCase()}`, email);
      t.connector.members.set(`29:${aad(who)}`, { email, name: `${who[0]!.toUpperCase()}${who.slice(1)} Person`, aadObjectId: aad(who) });
    }
    expect((await importJourneys(db, orgId, JOURNEYS, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
    expect((await importGlossaryCsv(db, orgId, GLOSSARY, { by: 'test', now: clock.now() })).problems).toEqual([]);
    await grantRole(db, await personForEmail(db, orgId, BOARD, 'board-member'), { orgId, role: 'board', byLabel: 'test' });
    if (platform === 'slack') {
      // Ann's first command links the workspace to the organisation.
      await say('cx help');
    } else {
      const added = {
        type: 'conversationUpdate',
        id: `f:${randomUUID()}`,
        serviceUrl: t.connector.url,
        channelId: 'msteams',
        from: { id: `29:${aad('ann')}`, aadObjectId: aad('ann') },
        conversation: { id: '19:cx@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: 'tenant-0001' },
        recipient: { id: '28:steward-bot', name: 'Steward' },
        membersAdded: [{ id: '28:steward-bot' }],
        channelData: { tenant: { id: 'tenant-0001' }, team: { id: '19:cx@thread.tacv2' } },
      };
      await postActivity(t.url, added);
      await say('help');
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('a KPI breach alert reaches the journey owner', async () => {
    const db = t.database.db;
    const journey = await db.selectFrom('journeys').select('id').where('key', '=', 'onboarding').executeTakeFirstOrThrow();
    const result = await db.transaction().execute((trx) =>
      createPing(trx, { orgId, journeyId: journey.id, fromPersonId: null, reason: 'kpi', message: 'KPI breached for 3 weeks: Avoidable contacts', dedupeKey: `kpi:test:${randomUUID()}`, now: clock.now() }),
    );
    t.steward.services.kickDelivery(result.outboxIds);
    await waitFor(() => dms('olga').some((m) => m.includes('KPI breached for 3 weeks')));
    expect(dms('olga').find((m) => m.includes('KPI breached'))).toContain('Acknowledge');
  });

  it('a glossary approval request reaches the term\'s steward', async () => {
    const answer = await say('glossary propose NPS = Promoters minus detractors, in points from -100 to +100.');
    expect(answer).toContain('for approval');
    await waitFor(() => dms('otto').some((m) => m.includes('Promoters minus detractors')));
    const request = dms('otto').find((m) => m.includes('Promoters minus detractors'))!;
    expect(request).toContain('Approve');
  });

  it('a vote reminder reaches a board member', async () => {
    const db = t.database.db;
    const admin = await personForEmail(db, orgId, 'alma@example.com', 'Alma Admin');
    await grantRole(db, admin, { orgId, role: 'admin', byLabel: 'test' });
    await makeGovernanceChannel(db, orgId, { platform, installationExternalId: platform === 'slack' ? 'T0001' : 'tenant-0001', externalId: platform === 'slack' ? 'CGOV' : '19:cx@thread.tacv2', kind: 'channel', name: 'governance' });
    const actor: Actor = { personId: admin, orgId, name: 'Alma Admin', email: 'alma@example.com', roles: new Set(['admin']), platform, platformUserId: 'UALMA' };
    const submitted = await submitProposal(t.steward.services, actor, form({ title: 'Welcome call in week one' }), `reach-${platform}`);
    if (!('proposalId' in submitted)) throw new Error('proposal not submitted');
    const deadline = (await db.selectFrom('proposals').select('deadline').where('id', '=', submitted.proposalId).executeTakeFirstOrThrow()).deadline!;
    const ids = await queueVoteReminders(db, new Date(deadline.getTime() - 20 * 3_600_000));
    expect(ids.length).toBeGreaterThanOrEqual(1);
    t.steward.services.kickDelivery(ids);
    await waitFor(() => dms('bea').some((m) => m.includes('still open')));
  });
});
