// Slack Events API deliveries through /slack/events: Slack retries an event it thinks failed (same
// event_id, x-slack-retry-num), and a retry must do nothing twice, in this process or any other.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSlack, sign } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

describe('Slack: Events API retries', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t.close();
  });

  function mention(eventId: string, text: string, channel = 'C0RETRY'): string {
    return JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_mention', user: 'U0RETRY', text: `<@UBOT> ${text}`, ts: '1700000000.000100', channel, team: 'T0001' },
    });
  }

  const json = { 'content-type': 'application/json' };
  const postEvent = (body: string, headers: Record<string, string> = {}) => postSlack(t.url, body, { ...sign(body), ...json, ...headers });
  const postsTo = (channel: string) => t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);

  it('handles a retried app_mention once: the retry is acknowledged and answered nowhere', async () => {
    const eventId = `Ev${randomUUID().slice(0, 8)}`;
    const body = mention(eventId, 'help');
    const first = await postEvent(body);
    expect(first.status).toBe(200);
    await waitUntil('the mention is answered', () => postsTo('C0RETRY').length === 1);

    const retry = await postEvent(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    // A later event, answered after the retry was acknowledged, marks the point by which a handled
    // retry would have posted too.
    await postEvent(mention(`Ev${randomUUID().slice(0, 8)}`, 'help', 'C0LATER'));
    await waitUntil('the later mention is answered', () => postsTo('C0LATER').length === 1);
    expect(postsTo('C0RETRY')).toHaveLength(1);
    const claimed = await t.database.db.selectFrom('inbound_events').select('event_key').where('event_key', '=', `slack:${eventId}`).execute();
    expect(claimed).toHaveLength(1);
  });

  it('still handles a different event from the same person', async () => {
    const before = postsTo('C0RETRY').length;
    const response = await postEvent(mention(`Ev${randomUUID().slice(0, 8)}`, 'help'));
    expect(response.status).toBe(200);
    await waitUntil('the second mention is answered', () => postsTo('C0RETRY').length === before + 1);
  });
});

describe('Slack: off until configured', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward({ env: { SLACK_SIGNING_SECRET: '', SLACK_BOT_TOKEN: '' }, workers: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /slack/events with what to set, and reads nothing from the request', async () => {
    const people = async () => Number((await t.database.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await people();
    const body = 'command=%2Fglossary&text=nps&team_id=T0001&user_id=U0NEW1';
    const answer = await postSlack(t.url, body);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ error: 'Slack is off on this Steward: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn on /slack/events' });
    expect(await people()).toBe(before);
    expect(t.slack.calls).toHaveLength(0);
  });
});
