// The send slot of a channel (one message per second, optionally after a burst), taken or booked in
// one statement, on Postgres and PGlite: the same answers as reading the slot under a row lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOT_BOOKED, takeChannelSlot, takeSlotOrHandBack } from '../../src/delivery/channel-slots-repo.js';
import { claimForSending, enqueueMessage } from '../../src/delivery/outbox-repo.js';
import { Deliverer, type PeopleReach } from '../../src/delivery/deliver.js';
import type { Notifier } from '../../src/delivery/notifier.js';
import type { Card } from '../../src/chat/card.js';
import { ManualClock } from '../../src/clock.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('channel send slots on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t.drop();
  });

  const at = (ms: number) => new Date(Date.UTC(2025, 4, 12, 8) + ms);

  it('grants a free slot, books the next free ones for messages that find it taken, and grants again once they passed', async () => {
    const key = `slack:U-${kind}-1`;
    expect(await takeChannelSlot(t.db, key, at(0))).toEqual({ granted: true });
    expect(await takeChannelSlot(t.db, key, at(100))).toEqual({ granted: false, retryAt: at(1_000) });
    expect(await takeChannelSlot(t.db, key, at(200))).toEqual({ granted: false, retryAt: at(2_000) });
    // Both booked turns have passed (the slot is free from 3 s): granted, the next one second later.
    expect(await takeChannelSlot(t.db, key, at(5_000))).toEqual({ granted: true });
    expect(await takeChannelSlot(t.db, key, at(5_500))).toEqual({ granted: false, retryAt: at(6_000) });
    // Exactly when the slot frees up: granted.
    expect(await takeChannelSlot(t.db, key, at(7_000))).toEqual({ granted: true });
  });

  it('allows a burst after a quiet spell, then paces', async () => {
    const key = `slack:burst-${kind}`;
    const pace = { intervalMs: 1_200, burst: 2 };
    for (let i = 0; i < 3; i++) expect(await takeChannelSlot(t.db, key, at(0), pace)).toEqual({ granted: true });
    expect(await takeChannelSlot(t.db, key, at(0), pace)).toEqual({ granted: false, retryAt: at(1_200) });
  });

  it('without booking, a refusal leaves the slot as it was', async () => {
    const key = `slack:nobook-${kind}`;
    const pace = { book: false };
    expect(await takeChannelSlot(t.db, key, at(0), pace)).toEqual({ granted: true });
    expect(await takeChannelSlot(t.db, key, at(10), pace)).toEqual({ granted: false, retryAt: at(1_000) });
    expect(await takeChannelSlot(t.db, key, at(20), pace)).toEqual({ granted: false, retryAt: at(1_000) });
    expect(await takeChannelSlot(t.db, key, at(1_000), pace)).toEqual({ granted: true });
  });

  it('gives one slot to one of many messages taking it at once', async () => {
    const key = `slack:race-${kind}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => takeChannelSlot(t.db, key, at(0))));
    expect(results.filter((r) => r.granted)).toHaveLength(1);
    const booked = results.flatMap((r) => (r.granted ? [] : [r.retryAt.getTime() - at(0).getTime()])).sort((a, b) => a - b);
    expect(booked).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000]);
  });

  it('a message that finds its channel taken is handed back in the same statement, due at the slot booked for it', async () => {
    const { id: orgId } = await orgsRepo.createOrganisation(t.db, `Slots ${kind}`);
    const queued = async (n: number) => {
      const id = await enqueueMessage(t.db, { orgId, dedupeKey: `slot-test:${n}`, target: { kind: 'person', personId: '1' }, card: { title: 'Hi', summary: 'hi', blocks: [] }, notBefore: at(-1_000) });
      const claim = await claimForSending(t.db, id!, at(0), at(60_000));
      expect(claim?.row.attempts).toBe(1);
      return id!;
    };
    const key = `slack:handback-${kind}`;
    const first = await queued(1);
    const second = await queued(2);
    expect(await takeSlotOrHandBack(t.db, key, at(0), first)).toEqual({ granted: true });
    expect(await takeSlotOrHandBack(t.db, key, at(100), second)).toEqual({ granted: false, retryAt: at(1_000) });
    const rows = await t.db.selectFrom('outbox').select(['id', 'status', 'not_before', 'attempts', 'lease_until', 'last_error']).where('id', 'in', [first, second]).orderBy('id').execute();
    // The granted one is still being sent; the other waits for its turn, and waiting was not an attempt.
    expect(rows[0]).toMatchObject({ status: 'sending', attempts: 1, last_error: null });
    expect(rows[1]).toMatchObject({ status: 'pending', attempts: 0, lease_until: null, last_error: SLOT_BOOKED, not_before: at(1_000) });
  });

  it('a message waiting for its turn in the channel is drawn once, when its turn comes', async () => {
    const { id: orgId } = await orgsRepo.createOrganisation(t.db, `Slots drawn ${kind}`);
    const clock = new ManualClock(at(0));
    const drawn: string[] = [];
    const posted: string[] = [];
    const notifier: Notifier = {
      platform: 'slack',
      post: async (_destination, card) => {
        posted.push(card.title);
        return { platform: 'slack', channel: 'D1', messageId: `1700000000.00000${posted.length}` };
      },
      update: async () => undefined,
      findPosted: async () => undefined,
    };
    // One person, one DM channel: the port the deliverer finds people through (src/reach/ in the service).
    const people: PeopleReach = {
      destinationFor: async () => ({ destination: { kind: 'user', platform: 'slack', installationId: 'T1', userId: `U-drawn-${kind}` }, welcome: false, refusedBefore: false }),
      refused: async () => undefined,
      welcome: async () => [],
      welcomed: async () => undefined,
      reached: async () => undefined,
    };
    const deliverer = new Deliverer({
      db: t.db,
      clock,
      notifiers: { slack: notifier },
      people,
      renderers: {
        'test.card': async ({ id }): Promise<Card> => {
          drawn.push(id);
          return { title: `card ${id}`, summary: id, blocks: [] };
        },
      },
    });
    const queued = async (n: number) =>
      (await enqueueMessage(t.db, { orgId, dedupeKey: `drawn:${n}`, target: { kind: 'person', personId: '1' }, card: { title: 'fallback', summary: 'fallback', blocks: [] }, render: { renderer: 'test.card', id: `m${n}` }, notBefore: at(-1_000) }))!;
    const first = await queued(1);
    const second = await queued(2);
    expect(await deliverer.deliver(first)).toMatchObject({ status: 'delivered' });
    // The channel's slot is taken: the second waits for the next one without being drawn.
    expect(await deliverer.deliver(second)).toEqual({ status: 'not-due', notBefore: at(1_000) });
    expect(drawn).toEqual(['m1']);
    clock.set(at(1_000));
    expect(await deliverer.deliver(second)).toMatchObject({ status: 'delivered' });
    expect(drawn).toEqual(['m1', 'm2']);
    expect(posted).toEqual(['card m1', 'card m2']);
  });
});
