// A glossary term's card lists the KPIs that use its definition (by link, name or alias).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpisUsingTerm } from '../../src/kpis/glossary-section.js';
import { seedDemo } from '../../src/seed/demo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('KPIs on the term card', () => {
  let database: TestDatabase;
  let orgId: string;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    orgId = (await seedDemo(database.db, { orgName: 'Demo' })).orgId;
  });
  afterAll(async () => {
    await database.drop();
  });

  const termId = async (name: string) =>
    (await database.db.selectFrom('glossary_terms').select('id').where('org_id', '=', orgId).where('name', '=', name).executeTakeFirstOrThrow()).id;
  const aliases = async (id: string) => (await database.db.selectFrom('glossary_aliases').select('alias').where('term_id', '=', id).execute()).map((a) => a.alias);

  it('lists the demo NPS KPIs under Net Promoter Score', async () => {
    const id = await termId('Net Promoter Score');
    const blocks = await kpisUsingTerm()({ db: database.db, orgId, termId: id, names: ['Net Promoter Score', ...(await aliases(id))] });
    const json = JSON.stringify(blocks);
    expect(json).toContain('KPIs that use this definition');
    expect(json).toContain('nps-lifecycle');
    expect(json).toContain('nps-onboarding');
  });

  it('adds nothing for a term no KPI uses', async () => {
    const unused = await database.db
      .selectFrom('glossary_terms')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .where('name', 'not in', (await database.db.selectFrom('kpis').select('glossary_term').where('glossary_term', 'is not', null).execute()).map((k) => k.glossary_term ?? ''))
      .executeTakeFirstOrThrow();
    const blocks = await kpisUsingTerm()({ db: database.db, orgId, termId: unused.id, names: [unused.name, ...(await aliases(unused.id))] });
    expect(blocks).toEqual([]);
  });
});
