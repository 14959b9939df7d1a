// The click inbox on both databases: a stored click is answered and deleted; a click whose database
// went away stays and is tried again; a click a stopped process left is taken once its lease ran out;
// a click that keeps failing is given up with a word to its person; clicks arriving together share
// one insert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ClickInbox, type InboxPlatform } from '../../src/chat/inbox.js';
import * as repo from '../../src/chat/inbox-repo.js';
import type { ChatRequest, Reply } from '../../src/chat/request.js';
import { ERROR_CODES } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { waitUntil } from '../support/wait.js';

const click = (user: string): ChatRequest => ({
  platform: 'slack',
  installationId: 'T0001',
  user: { id: user },
  conversation: { id: 'C0001', kind: 'channel' },
  input: { kind: 'action', payload: { action: 'proposal.vote', p: 'x', c: 'approve' }, values: {} },
  mentions: [],
});

/** A platform that records what it was asked and sent, and answers as `answerWith` says. */
function recordingPlatform(answerWith: (request: ChatRequest) => Reply = () => ({ private: { title: 'Vote recorded', blocks: [], summary: 'Vote recorded' } })) {
  const answered: ChatRequest[] = [];
  const delivered: { replyTo: unknown; reply: Reply }[] = [];
  const platform: InboxPlatform = {
    answer: async (request) => {
      answered.push(request);
      return answerWith(request);
    },
    deliver: async (replyTo, reply) => {
      delivered.push({ replyTo, reply });
    },
  };
  return { platform, answered, delivered };
}

describe.each(DATABASE_KINDS)('click inbox on %s', (kind) => {
  let t: TestDatabase;
  const log = createLogger('silent');
  const clock = new ManualClock(new Date('2026-12-03T10:00:00Z'));
  const inboxes: ClickInbox[] = [];
  const open = (options: { leaseMs?: number; maxAttempts?: number } = {}) => {
    const inbox = new ClickInbox({ db: t.db, clock, log, ...options });
    inboxes.push(inbox);
    return inbox;
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    for (const inbox of inboxes) await inbox.close(0);
    await t.drop();
  });

  it('answers a stored click with the time it arrived, sends the answer, and deletes it', async () => {
    const inbox = open();
    const { platform, answered, delivered } = recordingPlatform();
    inbox.register('slack', platform);
    const stored = await inbox.store('slack', click('U1'), { responseUrl: 'http://127.0.0.1/r/1', channelId: 'C0001' });
    expect(await repo.countClicks(t.db)).toBe(1);
    inbox.handle(stored);
    await waitUntil('the answer was sent', () => delivered.length === 1);
    expect(answered[0]!.receivedAt).toEqual(clock.now());
    expect(delivered[0]!.replyTo).toEqual({ responseUrl: 'http://127.0.0.1/r/1', channelId: 'C0001' });
    await waitUntil('the click is deleted', async () => (await repo.countClicks(t.db)) === 0);
  });

  it('stores the clicks that arrive together, all of them, each once', async () => {
    const inbox = open();
    const stored = await Promise.all(Array.from({ length: 120 }, (_, i) => inbox.store('slack', click(`U${i}`), { responseUrl: `http://127.0.0.1/r/${i}`, channelId: 'C0001' })));
    expect(new Set(stored.map((s) => s.id)).size).toBe(120);
    expect(await repo.countClicks(t.db)).toBe(120);
    await t.db.deleteFrom('click_inbox').execute();
  });

  it('keeps a click whose database went away, and answers it once the lease ran out and the database is back', async () => {
    const inbox = open({ leaseMs: 300 });
    let databaseAway = true;
    const unavailable: Reply = { private: { title: 'Try again', blocks: [], summary: 'Try again' }, refusal: { code: ERROR_CODES.databaseUnavailable, message: 'away' } };
    const { platform, answered, delivered } = recordingPlatform(() => (databaseAway ? unavailable : { private: { title: 'Vote recorded', blocks: [], summary: 'Vote recorded' } }));
    inbox.register('slack', platform);
    inbox.handle(await inbox.store('slack', click('U2'), { responseUrl: 'http://127.0.0.1/r/2', channelId: 'C0001' }));
    await waitUntil('the first try', () => answered.length === 1);
    expect(delivered).toEqual([]);
    expect(await repo.countClicks(t.db)).toBe(1);
    databaseAway = false;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await inbox.recover()).toBe(1);
    await waitUntil('the answer was sent', () => delivered.length === 1);
    expect(delivered[0]!.reply.private?.title).toBe('Vote recorded');
    await waitUntil('the click is deleted', async () => (await repo.countClicks(t.db)) === 0);
  });

  it('leaves a click stored by another process alone while its lease runs, and takes it after', async () => {
    const other = open({ leaseMs: 400 });
    await other.store('slack', click('U3'), { responseUrl: 'http://127.0.0.1/r/3', channelId: 'C0001' });
    const inbox = open({ leaseMs: 400 });
    const { platform, answered } = recordingPlatform();
    inbox.register('slack', platform);
    expect(await inbox.recover()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await inbox.recover()).toBe(1);
    await waitUntil('the click was answered', () => answered.length === 1);
    expect(answered[0]!.user.id).toBe('U3');
    expect(answered[0]!.receivedAt).toBeInstanceOf(Date);
    await waitUntil('the click is deleted', async () => (await repo.countClicks(t.db)) === 0);
  });

  it('gives up on a click after repeated failures and tells its person to click again', async () => {
    const inbox = open({ leaseMs: 100, maxAttempts: 2 });
    const { platform, delivered } = recordingPlatform(() => {
      throw new Error('a handler that always fails');
    });
    inbox.register('slack', platform);
    inbox.handle(await inbox.store('slack', click('U4'), { responseUrl: 'http://127.0.0.1/r/4', channelId: 'C0001' }));
    await waitUntil('the click was given up', async () => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      await inbox.recover();
      return (await repo.countClicks(t.db)) === 0;
    });
    await waitUntil('its person was told', () => delivered.length === 1);
    expect(JSON.stringify(delivered[0]!.reply.private)).toMatch(/could not record your click after 3 tries/);
  });
});
