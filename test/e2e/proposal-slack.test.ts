// Slack end to end, through /slack/events exactly as Slack sends it: an admin makes the governance
// channel, a team lead proposes through the modal, the card is posted, board members vote (a
// non-member is refused), the deadline passes on the injected clock, and the decision is announced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import type { Role } from '../../src/db/foundation-tables.js';
import type { SlackCall } from '../support/fake-slack.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { personOnPlatform } from '../support/proposal-fixtures.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil as waitWithin } from '../support/wait.js';

const CHANNEL = 'CGOV0001';

interface SlackBlock {
  type: string;
  elements?: { type: string; value?: string; text?: unknown }[];
}

/** A view_submission as Slack posts it when a modal's Submit is pressed. */
function viewSubmissionBody(options: { userId: string; privateMetadata: string; texts: Record<string, string>; selects: Record<string, string> }): string {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [id, value] of Object.entries(options.texts)) values[id] = { [id]: { type: 'plain_text_input', value } };
  for (const [id, value] of Object.entries(options.selects)) values[id] = { [id]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } } };
  const payload = {
    type: 'view_submission',
    team: { id: 'T0001', domain: 'acme' },
    user: { id: options.userId, username: options.userId.toLowerCase(), name: options.userId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    trigger_id: '1234.5678.ijkl',
    view: {
      id: 'V0001',
      team_id: 'T0001',
      type: 'modal',
      callback_id: 'steward_form',
      private_metadata: options.privateMetadata,
      state: { values },
      hash: '1700000000.abc',
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function blocksOf(call: SlackCall | undefined): SlackBlock[] {
  const blocks = call?.args.blocks;
  return Array.isArray(blocks) ? (blocks as SlackBlock[]) : [];
}

function buttonValue(blocks: SlackBlock[], label: string): string {
  for (const block of blocks) {
    for (const element of block.elements ?? []) {
      if (element.type === 'button' && JSON.stringify(element.text).includes(label) && element.value) return element.value;
    }
  }
  throw new Error(`no button ${label}`);
}

/** This suite's workers take longer: 20 s before giving up. */
const waitUntil = (what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 20_000) => waitWithin(what, predicate, timeoutMs);

describe('Slack: a proposal from the form to the recorded decision', () => {
  let t: TestSteward;
  let clock: ManualClock;
  let journeyId: string;

  const person = (userId: string, name: string, roles: Role[], orgId: string) =>
    personOnPlatform(t.database.db, { orgId, platform: 'slack', installationId: 'T0001', userId: userId, name, roles });

  beforeAll(async () => {
    t = await startTestSteward();
    clock = t.clock as ManualClock;
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    await person('UADMIN01', 'Alma Admin', ['admin'], orgId);
    await person('UPROP001', 'Paula Proposer', [], orgId);
    for (const [i, name] of ['Ada', 'Bo', 'Cy', 'Di', 'Ed'].entries()) await person(`UBOARD0${i + 1}`, name, ['board'], orgId);
    await person('UOUTSIDE', 'Olaf Outsider', [], orgId);
    const owner = await person('UOWNER01', 'Olga Owner', [], orgId);
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

  let card: SlackCall;

  it('lets an admin make a channel the governance channel, and refuses anyone else', async () => {
    const refused = await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'governance here', user_id: 'UPROP001', channel_id: CHANNEL, channel_name: 'governance' }));
    expect(JSON.stringify(await refused.json())).toContain('Only admins can choose the governance channel');
    const response = await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'governance here', user_id: 'UADMIN01', channel_id: CHANNEL, channel_name: 'governance' }));
    const body = (await response.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe('in_channel');
    expect(body.text).toContain('#governance (Slack) is now the governance channel');
  });

  it('opens the proposal form as a modal and posts the submitted proposal as a card in the governance channel', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/proposal', text: 'new', user_id: 'UPROP001', channel_id: 'C0TEAM01', trigger_id: 'trig-1' }));
    expect(response.status).toBe(200);
    await t.slack.waitFor(() => t.slack.callsOf('views.open').length === 1);
    const view = t.slack.callsOf('views.open')[0]!.args.view as { private_metadata: string; blocks: { block_id?: string }[]; title: { text: string } };
    expect(view.title.text).toBe('New proposal');
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['title', 'problem', 'journey', 'kpiImpact', 'effort', 'customerValue', 'businessValue']);

    // A form with a bad value is refused with what is wrong, and creates nothing.
    await postSlack(
      t.url,
      viewSubmissionBody({ userId: 'UPROP001', privateMetadata: view.private_metadata, texts: { title: 'Hi', problem: 'short' }, selects: { effort: '2', customerValue: '4', businessValue: '3' } }),
    );
    await t.slack.waitFor(() => t.slack.callsOf('chat.postEphemeral').length === 1);
    expect(JSON.stringify(t.slack.callsOf('chat.postEphemeral')[0]!.args)).toContain('The title needs at least 3 characters');
    expect(await t.database.db.selectFrom('proposals').select('id').execute()).toHaveLength(0);

    const submitted = await postSlack(
      t.url,
      viewSubmissionBody({
        userId: 'UPROP001',
        privateMetadata: view.private_metadata,
        texts: { title: 'Welcome call in the first week', problem: 'New customers <!channel> do not know where to start and call support three times.', kpiImpact: 'Onboarding NPS +5' },
        selects: { journey: journeyId, effort: '2', customerValue: '4', businessValue: '3' },
      }),
    );
    expect(submitted.status).toBe(200);
    await t.slack.waitFor(() => t.slack.callsOf('chat.postEphemeral').length === 2);
    expect(JSON.stringify(t.slack.callsOf('chat.postEphemeral')[1]!.args)).toContain('Proposal #1 is posted in the governance channel');

    await t.slack.waitFor(() => t.slack.callsOf('chat.postMessage').some((c) => c.args.channel === CHANNEL && String(c.args.text).includes('Proposal #1')));
    card = t.slack.callsOf('chat.postMessage').find((c) => c.args.channel === CHANNEL)!;
    const rendered = JSON.stringify(card.args.blocks);
    expect(rendered).toContain('Proposal #1: Welcome call in the first week');
    expect(rendered).toContain('Welcome journey');
    expect(rendered).toContain('UOWNER01');
    expect(rendered).toContain('quorum 3 of 5, simple majority of votes cast');
    expect(rendered).toContain('Approve 0 · Reject 0 · Abstain 0 · 5 not voted');
    // What the proposer typed is shown literally (a rich_text run), never as a mrkdwn control sequence.
    const mrkdwn = JSON.stringify(blocksOf(card).filter((b) => b.type !== 'rich_text'));
    expect(mrkdwn).not.toContain('<!channel>');
    expect(rendered).toContain('{"type":"text","text":"New customers <!channel> do not know');
    for (const label of ['Approve', 'Reject', 'Abstain']) expect(JSON.parse(buttonValue(blocksOf(card), label))).toMatchObject({ action: 'proposal.vote', c: label.toLowerCase() });
  });

  it('confirms a board member’s vote privately, refuses a non-member privately, and updates the card at most once a second', async () => {
    const approve = buttonValue(blocksOf(card), 'Approve');
    const reject = buttonValue(blocksOf(card), 'Reject');
    const ts = String(t.slack.posted().find((m) => m.text.includes('Proposal #1'))!.ts);
    const votes: [string, string][] = [
      ['UBOARD01', approve],
      ['UBOARD02', approve],
      ['UBOARD03', reject],
      ['UBOARD04', approve],
      ['UBOARD03', approve],
    ];
    const started = Date.now();
    const click = ([user, value]: [string, string], i: number) =>
      postSlack(t.url, blockActionBody({ userId: user, channelId: CHANNEL, value, messageTs: ts, responseUrl: t.slack.responseUrl(`vote-${i}`) }));
    // Four members at once; UBOARD03 changes their vote after their first one was answered (two
    // clicks in flight at the same instant have no defined order, in Slack or here).
    const acks = await Promise.all(votes.slice(0, 4).map(click));
    await t.slack.waitFor(() => t.slack.responses.filter((r) => r.path.startsWith('/response/vote-')).length === 4);
    acks.push(await click(votes[4]!, 4));
    expect(acks.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const outsider = await postSlack(t.url, blockActionBody({ userId: 'UOUTSIDE', channelId: CHANNEL, value: approve, messageTs: ts, responseUrl: t.slack.responseUrl('outsider') }));
    expect(outsider.status).toBe(200);

    await t.slack.waitFor(() => t.slack.responses.filter((r) => r.path.startsWith('/response/vote-')).length === 5 && t.slack.responses.some((r) => r.path === '/response/outsider'));
    const confirmation = t.slack.responses.find((r) => r.path === '/response/vote-0')!;
    expect(confirmation.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(confirmation.body.text)).toMatch(/^You (voted Approve|changed your vote) on #1; you can change it until /);
    const refusal = t.slack.responses.find((r) => r.path === '/response/outsider')!;
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refusal.body.text)).toContain('Only board members can vote on proposals');

    const ballots = await t.database.db.selectFrom('proposal_ballots').select(['choice']).execute();
    expect(ballots.map((b) => b.choice).sort()).toEqual(['approve', 'approve', 'approve', 'approve']);

    await waitUntil('the card shows the final totals', () =>
      t.slack.callsOf('chat.update').some((c) => JSON.stringify(c.args.blocks).includes('Approve 4 · Reject 0 · Abstain 0 · 1 not voted')),
    );
    const updates = t.slack.callsOf('chat.update').filter((c) => c.args.ts === ts);
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(updates.length).toBeLessThanOrEqual(seconds + 1);
    for (let i = 1; i < updates.length; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(900);
  });

  it('shows who voted what with proposal show, and the open proposals with proposal list', async () => {
    const shown = await postSlack(t.url, slashCommandBody({ command: '/proposal', text: 'show 1', user_id: 'UPROP001' }));
    const body = JSON.stringify(await shown.json());
    expect(body).toContain('Approve (4)');
    expect(body).toMatch(/Ada, Bo, Cy, Di/);
    const listed = await postSlack(t.url, slashCommandBody({ command: '/proposal', text: 'list', user_id: 'UBOARD05' }));
    const list = JSON.stringify(await listed.json());
    expect(list).toContain('1 waits for your vote');
    expect(list).toContain('#1');
  });

  it('closes at the deadline: buttons gone, decision written and announced in the thread, proposer and owner told', async () => {
    const ts = String(t.slack.posted().find((m) => m.text.includes('Proposal #1'))!.ts);
    clock.advance(7 * 24 * 3_600_000 + 1_000);
    const late = await postSlack(t.url, blockActionBody({ userId: 'UBOARD05', channelId: CHANNEL, value: buttonValue(blocksOf(card), 'Reject'), messageTs: ts, responseUrl: t.slack.responseUrl('late') }));
    expect(late.status).toBe(200);

    await waitUntil('the decision is announced in the thread', () => t.slack.posted().some((m) => m.thread_ts === ts && m.text.includes('Approved')));
    const decision = await t.database.db.selectFrom('proposal_decisions').selectAll().executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ outcome: 'approved', approve: 4, reject: 0, abstain: 0, not_voted: 1, quorum_required: 3, board_size: 5 });

    await waitUntil('the card loses its buttons', () =>
      t.slack.callsOf('chat.update').some((c) => c.args.ts === ts && JSON.stringify(c.args.blocks).includes('Decision: Approved') && !blocksOf(c).some((b) => b.type === 'actions')),
    );
    await waitUntil('the proposer and the journey owner get a direct message', () =>
      ['UPROP001', 'UOWNER01'].every((user) => t.slack.callsOf('chat.postMessage').some((c) => c.args.channel === user && String(c.args.text).includes('Approved'))),
    );
    const ownerDm = t.slack.callsOf('chat.postMessage').find((c) => c.args.channel === 'UOWNER01')!;
    expect(JSON.stringify(ownerDm.args.blocks)).toContain('Mark in progress');

    await waitUntil('the late vote is refused', () => t.slack.responses.some((r) => r.path === '/response/late'));
    expect(String(t.slack.responses.find((r) => r.path === '/response/late')!.body.text)).toMatch(/closed/);
    expect(await t.database.db.selectFrom('proposal_ballots').select('person_id').execute()).toHaveLength(4);

    // The journey owner follows it up from the direct message.
    const follow = await postSlack(t.url, blockActionBody({ userId: 'UOWNER01', channelId: 'DOWNER01', value: buttonValue(blocksOf(ownerDm), 'Mark in progress'), responseUrl: t.slack.responseUrl('follow') }));
    expect(follow.status).toBe(200);
    await waitUntil('the follow-up is answered', () => t.slack.responses.some((r) => r.path === '/response/follow'));
    expect(t.slack.responses.find((r) => r.path === '/response/follow')!.body).toMatchObject({ replace_original: true });
    expect((await t.database.db.selectFrom('proposals').select('status').executeTakeFirstOrThrow()).status).toBe('in_progress');
  });
});
