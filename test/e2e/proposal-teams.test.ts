// Teams end to end, through /api/messages exactly as Teams sends it: "governance here" with an
// @mention in a channel, the proposal form as an Adaptive Card submitted through Universal Actions,
// the card posted in the channel, votes answered in place for the clicker only (a non-member is
// refused the same way), coalesced card updates, and the decision at the deadline.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import type { Role } from '../../src/db/foundation-tables.js';
import { postActivity, teamsMessage, type ConnectorCall } from '../support/fake-connector.js';
import { waitForDrain } from '../support/drain.js';
import { personOnPlatform } from '../support/proposal-fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil as waitWithin } from '../support/wait.js';

const CHANNEL = '19:governance@thread.tacv2';
const aad = (n: number) => `00000000-0000-0000-0000-0000000001${String(n).padStart(2, '0')}`;
const ADMIN = aad(1);
const PROPOSER = aad(2);
const OUTSIDER = aad(3);
const OWNER = aad(4);
const BOARD = [aad(11), aad(12), aad(13)];

interface AdaptiveAction {
  type: string;
  verb?: string;
  title?: string;
  data?: Record<string, unknown>;
}

function cardOf(call: ConnectorCall | undefined): Record<string, unknown> | undefined {
  const attachments = call?.body.attachments;
  if (!Array.isArray(attachments)) return undefined;
  const [first] = attachments as { content?: Record<string, unknown> }[];
  return first?.content;
}

/** Every Action.Execute in a card, wherever it sits. */
function executeActions(card: unknown): AdaptiveAction[] {
  const found: AdaptiveAction[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute') found.push(record as unknown as AdaptiveAction);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** An adaptiveCard/action invoke, as Teams sends it when an Action.Execute button is pressed. */
function invoke(options: { serviceUrl: string; userAad: string; conversationId: string; conversationType: 'channel' | 'personal'; action: AdaptiveAction; inputs?: Record<string, string>; replyToId?: string }) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `inv-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: options.serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${options.userAad}`, name: 'Member', aadObjectId: options.userAad },
    conversation: { id: options.conversationId, conversationType: options.conversationType, tenantId: 'tenant-0001', ...(options.conversationType === 'channel' ? { isGroup: true } : {}) },
    recipient: { id: '28:steward-bot', name: 'Steward' },
    ...(options.replyToId ? { replyToId: options.replyToId } : {}),
    value: { action: { type: 'Action.Execute', verb: options.action.verb, data: { ...options.action.data, ...options.inputs } }, trigger: 'manual' },
    channelData: { tenant: { id: 'tenant-0001' } },
    locale: 'en-US',
  };
}

/** This suite's workers take longer: 20 s before giving up. */
const waitUntil = (what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 20_000) => waitWithin(what, predicate, timeoutMs);

describe('Teams: a proposal from the form to the recorded decision', () => {
  let t: TestSteward;
  let clock: ManualClock;
  let journeyId: string;
  let posted: ConnectorCall;

  const person = (userAad: string, name: string, roles: Role[], orgId: string) =>
    personOnPlatform(t.database.db, { orgId, platform: 'teams', installationId: 'tenant-0001', userId: userAad, name, roles });

  /** The Teams activity id the proposal card got when it was posted. */
  async function postedMessageId(): Promise<string> {
    const row = await t.database.db
      .selectFrom('proposal_posts as pp')
      .innerJoin('outbox as o', 'o.id', 'pp.outbox_id')
      .select('o.delivered_ref')
      .executeTakeFirstOrThrow();
    return row.delivered_ref?.messageId ?? '';
  }

  const invokeBody = async (response: Response) => (await response.json()) as { statusCode: number; type: string; value: unknown };

  beforeAll(async () => {
    t = await startTestSteward({ databaseKind: 'pglite' });
    clock = t.clock as ManualClock;
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    await person(ADMIN, 'Alma Admin', ['admin'], orgId);
    await person(PROPOSER, 'Paula Proposer', [], orgId);
    await person(OUTSIDER, 'Olaf Outsider', [], orgId);
    const owner = await person(OWNER, 'Olga Owner', [], orgId);
    for (const [i, member] of BOARD.entries()) await person(member, ['Ada', 'Bo', 'Cy'][i]!, ['board'], orgId);
    journeyId = (
      await t.database.db
        .insertInto('journeys')
        .values({ org_id: orgId, key: 'onboarding', name: 'Welcome journey', level: 'journey', owner_person_id: owner })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('makes the channel where an admin @mentions "governance here" the governance channel, stored without the thread', async () => {
    const before = t.connector.sent().length;
    const thread = `${CHANNEL};messageid=1700000000001`;
    const response = await postActivity(
      t.url,
      teamsMessage({
        text: '<at>Steward</at> governance here',
        serviceUrl: t.connector.url,
        userAad: ADMIN,
        conversationType: 'channel',
        conversationId: thread,
        entities: [{ type: 'mention', text: '<at>Steward</at>', mentioned: { id: '28:steward-bot', name: 'Steward' } }],
      }),
    );
    expect(response.status).toBe(200);
    await t.connector.waitFor(() => t.connector.sent().length > before);
    expect(JSON.stringify(cardOf(t.connector.sent()[before]))).toContain('This is now the governance channel');
    const stored = await t.database.db.selectFrom('conversations').selectAll().where('external_id', '=', CHANNEL).executeTakeFirstOrThrow();
    expect(stored.reference).toMatchObject({ serviceUrl: t.connector.url, conversation: { id: CHANNEL } });
  });

  it('sends the form as an Adaptive Card and posts the submitted proposal in the channel', async () => {
    const personal = `a:personal-${PROPOSER}`;
    const before = t.connector.sent().length;
    await postActivity(t.url, teamsMessage({ text: 'proposal new', serviceUrl: t.connector.url, userAad: PROPOSER, conversationId: personal }));
    await t.connector.waitFor(() => t.connector.sent().length > before);
    const formCard = cardOf(t.connector.sent()[before]);
    expect(JSON.stringify(formCard)).toContain('Input.Text');
    const [submit] = executeActions(formCard);
    expect(submit).toMatchObject({ verb: 'proposal.submit' });

    const response = await postActivity(
      t.url,
      invoke({
        serviceUrl: t.connector.url,
        userAad: PROPOSER,
        conversationId: personal,
        conversationType: 'personal',
        action: submit!,
        inputs: { title: 'Welcome call in the first week', problem: 'New customers do not know where to start and call support three times.', journey: journeyId, kpiImpact: '', effort: '2', customerValue: '4', businessValue: '3' },
      }),
    );
    expect(response.status).toBe(200);
    const body = await invokeBody(response);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(body.value)).toContain('Proposal #1 is posted in the governance channel');

    await t.connector.waitFor(() => t.connector.sent().some((c) => c.conversationId === CHANNEL && JSON.stringify(cardOf(c)).includes('Proposal #1')));
    posted = t.connector.sent().find((c) => c.conversationId === CHANNEL && JSON.stringify(cardOf(c)).includes('Proposal #1'))!;
    const card = JSON.stringify(cardOf(posted));
    expect(card).toContain('Welcome journey');
    expect(card).toContain('quorum 2 of 3, simple majority of votes cast');
    expect(executeActions(cardOf(posted)).map((a) => a.title)).toEqual(['Approve', 'Reject', 'Abstain', 'Vote with a comment']);
    // Older clients fall back to Action.Submit with the same ids-only payload.
    expect(card).toContain('"fallback":{"type":"Action.Submit"');
  });

  it('answers a vote in place, for the clicker only; refuses a non-member the same way; updates the shared card', async () => {
    const actions = executeActions(cardOf(posted));
    const approve = actions.find((a) => a.title === 'Approve')!;
    const reject = actions.find((a) => a.title === 'Reject')!;
    const thread = `${CHANNEL};messageid=${await postedMessageId()}`;
    const sentBefore = t.connector.sent().length;
    const vote = (user: string, action: AdaptiveAction) =>
      postActivity(t.url, invoke({ serviceUrl: t.connector.url, userAad: user, conversationId: thread, conversationType: 'channel', action }));

    const first = await invokeBody(await vote(BOARD[0]!, approve));
    expect(first.type).toBe('application/vnd.microsoft.card.adaptive');
    const mine = JSON.stringify(first.value);
    expect(mine).toMatch(/You voted Approve on #1; you can change it until /);
    expect(mine).toContain('Approve 1 · Reject 0 · Abstain 0 · 2 not voted');

    const refused = await invokeBody(await vote(OUTSIDER, approve));
    expect(JSON.stringify(refused.value)).toContain('Only board members can vote on proposals');
    await vote(BOARD[1]!, reject);
    await vote(BOARD[1]!, approve);
    // An older client sends the Action.Submit fallback: a message activity carrying the same payload.
    const abstain = actions.find((a) => a.title === 'Abstain')!;
    const fallback = await postActivity(
      t.url,
      teamsMessage({ serviceUrl: t.connector.url, userAad: BOARD[2]!, conversationType: 'channel', conversationId: thread, value: abstain.data ?? {}, replyToId: await postedMessageId() }),
    );
    expect(fallback.status).toBe(200);

    // Nothing about anyone's vote was posted into the channel, by either path.
    await waitForDrain({ db: t.database.db, queuePrefix: t.queuePrefix });
    expect(t.connector.sent().slice(sentBefore).filter((c) => c.conversationId.startsWith(CHANNEL))).toEqual([]);
    await waitUntil('the shared card shows the totals', () =>
      t.connector.updates().some((u) => JSON.stringify(cardOf(u)).includes('Approve 2 · Reject 0 · Abstain 1 · 0 not voted')),
    );
    const updates = t.connector.updates();
    expect(updates.every((u) => u.conversationId === CHANNEL)).toBe(true);
  });

  it('closes at the deadline: the card without buttons, the decision in its thread, the proposer and the owner told', async () => {
    clock.advance(7 * 24 * 3_600_000 + 1_000);
    const thread = `${CHANNEL};messageid=${await postedMessageId()}`;
    await waitUntil('the decision is announced in the card thread', () =>
      t.connector.sent().some((c) => c.conversationId === thread && JSON.stringify(cardOf(c)).includes('Decision on proposal #1: Approved')),
    );
    await waitUntil('the shared card shows the decision without buttons', () =>
      t.connector.updates().some((u) => JSON.stringify(cardOf(u)).includes('Decision: Approved') && executeActions(cardOf(u)).length === 0),
    );
    await waitUntil('the proposer hears it in their personal chat', () =>
      t.connector.sent().some((c) => c.conversationId === `a:personal-${PROPOSER}` && JSON.stringify(cardOf(c)).includes('Approved')),
    );
    // The owner never wrote to Steward: a personal chat is created for them.
    await waitUntil('the owner is reached in a new personal chat', () => t.connector.calls.some((c) => c.method === 'POST' && c.path === '/v3/conversations'));
    await waitUntil('the owner gets the follow-up card', () => t.connector.sent().some((c) => c.conversationId.startsWith('a:new-conversation') && JSON.stringify(cardOf(c)).includes('Mark in progress')));
    const decision = await t.database.db.selectFrom('proposal_decisions').selectAll().executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ outcome: 'approved', approve: 2, reject: 0, abstain: 1, not_voted: 0 });
  });
});
