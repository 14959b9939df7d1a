// The welcome a person's first message from Steward starts with, read in one query (accountabilityOf)
// on both databases: the journeys they own, those where they are only the deputy, and their roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgsRepo from '../../src/orgs/repo.js';
import { grantRole } from '../../src/orgs/service.js';
import { accountabilityOf } from '../../src/reach/repo.js';
import { welcomeBlocks } from '../../src/reach/welcome.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('the welcome on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('names what they own, where they are only the deputy, and their roles', async () => {
    const { id: orgId } = await orgsRepo.createOrganisation(t.db, 'Acme');
    const { id: olga } = await orgsRepo.createPerson(t.db, orgId, 'Olga Owner', 'olga@example.com');
    const { id: other } = await orgsRepo.createPerson(t.db, orgId, 'Otto Other', 'otto@example.com');
    const journey = (key: string, name: string, owner: string | null, deputy: string | null) =>
      t.db.insertInto('journeys').values({ org_id: orgId, key, name, level: 'journey', owner_person_id: owner, deputy_person_id: deputy }).execute();
    await journey('welcome', 'Welcome journey', olga, null);
    await journey('billing', 'Billing', olga, other);
    await journey('moving', 'Moving house', other, olga);
    await journey('leaving', 'Leaving', null, olga);
    await journey('support', 'Support', other, null);
    await grantRole(t.db, olga, { orgId, role: 'board', byLabel: 'test' });
    await grantRole(t.db, olga, { orgId, role: 'admin', byLabel: 'test' });

    expect(await accountabilityOf(t.db, olga)).toEqual({
      name: 'Olga Owner',
      orgName: 'Acme',
      owned: ['Billing', 'Welcome journey'],
      deputyOf: ['Leaving', 'Moving house'],
      stewardedTerms: 0,
      roles: ['admin', 'board'],
    });
    const text = JSON.stringify(await welcomeBlocks(t.db, olga));
    expect(text).toContain('Welcome to Steward, Olga Owner. Acme uses it');
    expect(text).toContain('You are owner of Billing and Welcome journey, deputy owner of Leaving and Moving house, an admin and a member of the governance board.');
    // Someone Steward does not know: a welcome without names.
    expect(await accountabilityOf(t.db, '00000000-0000-4000-8000-000000000000')).toMatchObject({ name: 'there', owned: [], deputyOf: [], roles: [] });
  });
});
