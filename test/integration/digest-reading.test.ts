// The digest as a person reads it: every time in the organisation's time zone (named once, in the
// heading), and journeys without a dedicated owner listed with who covers them today.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/governance/digest/service.js';
import { seedDemo } from '../../src/seed/demo.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('the digest as read (%s)', (kind) => {
  let t: TestDatabase;
  let text: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const { orgId } = await seedDemo(t.db, { orgName: 'Acme' });
    await t.db.updateTable('organisations').set({ time_zone: 'Europe/Amsterdam' }).where('id', '=', orgId).execute();
    const card = await buildDigest({ db: t.db }, orgId, new Date());
    text = JSON.stringify(card);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('shows deadlines in the organisation’s time zone, never in UTC, and names the zone in the heading', () => {
    expect(text).toContain('closes ');
    expect(text).not.toContain('UTC');
    expect(text).toContain('Europe/Amsterdam');
  });

  it('lists journeys without an owner of their own with who covers them today', () => {
    expect(text).toContain('Journeys without an owner of their own');
    expect(text).toMatch(/Moving house .*covered by/);
    expect(text).toMatch(/Moving house .*covered by .*Dana de Vries \(CX director\)/);
  });
});
