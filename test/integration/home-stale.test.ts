// A change a Home tab shows puts that person's tab first in line for the refresh sweep (migration
// 0017's triggers), in the same transaction, and nobody else's: on the demo organisation, on both
// databases, each change made as the capabilities make it (rows written, not services mocked).
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { homesToCheck } from '../../src/home/repo.js';
import { addIdentity } from '../../src/orgs/repo.js';
import { personForEmail } from '../../src/orgs/service.js';
import { seedDemo } from '../../src/seed/demo.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const EMAILS = {
  dana: 'cx-director@example.com', // admin and board
  office: 'cx-office@example.com', // glossary steward
  sales: 'head-of-sales@example.com', // board
  service: 'head-of-service@example.com', // board; owns journeys
  cio: 'cio@example.com', // board
} as const;
type Who = keyof typeof EMAILS;

describe.each(DATABASE_KINDS)('home tabs marked for refresh (%s)', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let orgId: string;
  const people = {} as Record<Who, string>;
  const later = new Date(Date.now() + 60 * 60_000);

  /** Every tab just checked: none due before `later`. */
  const allChecked = () => db.updateTable('home_views').set({ checked_until: later }).execute();
  /** Whose tabs a change put first in line. */
  const marked = async (): Promise<Who[]> => {
    const rows = await db.selectFrom('home_views').select('person_id').where('checked_until', '<', new Date(Date.now() - 24 * 60 * 60_000)).execute();
    return (Object.keys(people) as Who[]).filter((who) => rows.some((r) => r.person_id === people[who])).sort();
  };

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    db = database.db;
    orgId = (await db.insertInto('organisations').values({ name: 'Acme' }).returning('id').executeTakeFirstOrThrow()).id;
    await seedDemo(db, { orgId, orgName: 'Acme' });
    for (const [who, email] of Object.entries(EMAILS) as [Who, string][]) {
      people[who] = await personForEmail(db, orgId, email);
      await addIdentity(db, people[who], 'slack', 'T0001', `U${who.toUpperCase()}`);
      await db.insertInto('home_views').values({ person_id: people[who], installation_external_id: 'T0001', user_external_id: `U${who.toUpperCase()}`, published_hash: 'shown' }).execute();
    }
    await allChecked();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('marks the holder of a ping handed to them, and the one it left', async () => {
    const journey = await db.selectFrom('journeys').select(['id', 'owner_person_id']).where('org_id', '=', orgId).where('owner_person_id', '=', people.service).executeTakeFirstOrThrow();
    const ping = await db
      .insertInto('pings')
      .values({ org_id: orgId, journey_id: journey.id, from_person_id: people.sales, reason: 'manual', message: 'Please look', holder_person_id: people.service, holder_journey_id: journey.id, dedupe_key: 'home-stale', created_at: new Date(), updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await marked()).toEqual(['service']);
    await allChecked();
    await db.updateTable('pings').set({ holder_person_id: people.cio }).where('id', '=', ping.id).execute();
    expect(await marked()).toEqual(['cio', 'service']);
  });

  it('marks every board member and the proposer when a proposal opens, and only the voter when a vote is cast', async () => {
    const proposal = await db.selectFrom('proposals').select(['id', 'proposer_person_id']).where('org_id', '=', orgId).where('status', '=', 'open').executeTakeFirstOrThrow();
    await db.updateTable('proposals').set({ title: 'A new title for the board' }).where('id', '=', proposal.id).execute();
    const proposer = (Object.keys(people) as Who[]).filter((who) => people[who] === proposal.proposer_person_id);
    expect(await marked()).toEqual([...new Set(['cio', 'dana', 'sales', 'service', ...proposer])].sort());
    await allChecked();
    await db.insertInto('proposal_ballots').values({ proposal_id: proposal.id, person_id: people.cio, choice: 'approve', cast_at: new Date(), updated_at: new Date() }).onConflict((oc) => oc.columns(['proposal_id', 'person_id']).doUpdateSet({ choice: 'abstain', updated_at: new Date() })).execute();
    expect(await marked()).toEqual(['cio']);
  });

  it('marks the glossary stewards and admins when a glossary change waits for approval', async () => {
    await db.insertInto('glossary_proposals').values({ org_id: orgId, kind: 'new', name: 'Silent churn', name_norm: 'silent churn', definition: 'Customers who stop without cancelling.', proposed_by_person_id: people.sales, aliases_add: JSON.stringify([]), aliases_remove: JSON.stringify([]), notice_outbox_ids: JSON.stringify([]), created_at: new Date() }).execute();
    expect(await marked()).toEqual(['dana', 'office']);
  });

  it("marks a journey's owner when its KPI values arrive in bulk, once per statement", async () => {
    const kpi = await db.selectFrom('kpis as k').innerJoin('journeys as j', 'j.id', 'k.journey_id').select(['k.id', 'j.owner_person_id']).where('k.org_id', '=', orgId).where('j.owner_person_id', '=', people.service).executeTakeFirstOrThrow();
    const values = ['2026-01-05', '2026-01-12', '2026-01-19'].map((period) => ({ kpi_id: kpi.id, segment: 'all', period_start: period, value: 42, source: 'test', received_at: new Date() }));
    await db.insertInto('kpi_values').values(values).onConflict((oc) => oc.columns(['kpi_id', 'segment', 'period_start']).doUpdateSet({ value: sql`excluded.value` })).execute();
    expect(await marked()).toEqual(['service']);
    await allChecked();
    await db.insertInto('kpi_values').values(values).onConflict((oc) => oc.columns(['kpi_id', 'segment', 'period_start']).doUpdateSet({ value: 43 })).execute();
    expect(await marked()).toEqual(['service']);
  });

  it('marks the old and the new owner when a journey changes hands', async () => {
    const journey = await db.selectFrom('journeys').select('id').where('org_id', '=', orgId).where('owner_person_id', '=', people.service).executeTakeFirstOrThrow();
    await db.updateTable('journeys').set({ owner_person_id: people.sales }).where('id', '=', journey.id).execute();
    expect(await marked()).toEqual(['sales', 'service']);
  });

  it('puts the marked tab first for the sweep, and marks nothing when a change rolls back', async () => {
    await db.updateTable('home_views').set({ checked_until: new Date(Date.now() - 60_000) }).execute();
    const now = new Date();
    await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('proposal_ballots').values({ proposal_id: (await trx.selectFrom('proposals').select('id').where('org_id', '=', orgId).where('status', '=', 'open').executeTakeFirstOrThrow()).id, person_id: people.sales, choice: 'reject', cast_at: now, updated_at: now }).onConflict((oc) => oc.columns(['proposal_id', 'person_id']).doUpdateSet({ choice: 'abstain', updated_at: now })).execute();
        throw new Error('rolled back');
      })
      .catch(() => {});
    expect(await marked()).toEqual([]);
    const proposal = await db.selectFrom('proposals').select('id').where('org_id', '=', orgId).where('status', '=', 'open').executeTakeFirstOrThrow();
    await db.insertInto('proposal_ballots').values({ proposal_id: proposal.id, person_id: people.sales, choice: 'reject', cast_at: now, updated_at: now }).onConflict((oc) => oc.columns(['proposal_id', 'person_id']).doUpdateSet({ choice: 'abstain', updated_at: now })).execute();
    const first = await homesToCheck(db, now, new Date(now.getTime() + 20_000), 1);
    expect(first.map((h) => h.person_id)).toEqual([people.sales]);
  });
});
