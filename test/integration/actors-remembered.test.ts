// Who asks, remembered while change notices arrive (src/orgs/service.ts resolveActor): a person's
// next commands need no database round trip for it, yet a role, a name or an identity changed
// anywhere (the CLI, another process, plain SQL) counts from their next command. Without notices,
// an actor serves for two seconds only, as before. On Postgres and on PGlite.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatRequest } from '../../src/chat/request.js';
import type { ChangeNotices } from '../../src/db/change-notices.js';
import { createLogger } from '../../src/log.js';
import { OrgDirectory } from '../../src/orgs/service.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { waitUntil } from '../support/wait.js';

const asking = (user: string): ChatRequest => ({
  platform: 'slack',
  installationId: 'T0ACTORS',
  user: { id: user, name: `Person ${user}` },
  conversation: { id: 'C0001', kind: 'channel' },
  input: { kind: 'text', text: 'glossary nps' },
  mentions: [],
});

describe.each(DATABASE_KINDS)('actors remembered on %s', (kind) => {
  let database: TestDatabase;
  let orgs: OrgDirectory;
  let notices: ChangeNotices;
  const heard: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    orgs = new OrgDirectory(database.db, { defaultOrgName: 'Remembering org' });
    notices = await database.listenForChanges(
      {
        changed: (table) => {
          heard.push(table);
          orgs.actors.changed(table);
        },
        listening: () => orgs.actors.enable(),
        lost: () => orgs.actors.disable(),
      },
      createLogger('silent'),
    );
    await waitUntil('the change listener listens', () => orgs.actors.isEnabled);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await notices.close();
    await database.drop();
  });

  /** Makes a change as another process would, and waits for its notice. */
  async function changeElsewhere(table: string, change: () => Promise<unknown>): Promise<void> {
    heard.length = 0;
    await change();
    await waitUntil(`a notice names ${table}`, () => heard.includes(table));
  }

  it('serves the same actor a minute later without reading it again while nothing it shows changed', async () => {
    // The first contact creates the person: its notices forget what was remembered before them.
    await changeElsewhere('identities', () => orgs.resolveActor(asking('U-SAME')));
    const first = await orgs.resolveActor(asking('U-SAME'));
    const now = Date.now();
    // Past the two seconds an actor serves without notices, within the minute it serves with them.
    vi.spyOn(Date, 'now').mockReturnValue(now + 30_000);
    expect(await orgs.resolveActor(asking('U-SAME'))).toBe(first);
    // A refresh of last_seen_at (every command's bookkeeping) forgets nothing.
    await sql`update identities set last_seen_at = now() where external_user_id = 'U-SAME'`.execute(database.db);
    await sql`update people set welcomed_at = now() where id = ${first.personId}`.execute(database.db);
    expect(await orgs.resolveActor(asking('U-SAME'))).toBe(first);
    // After the minute, it is read again.
    vi.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    const again = await orgs.resolveActor(asking('U-SAME'));
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('counts a role granted or revoked elsewhere from the next command', async () => {
    const before = await orgs.resolveActor(asking('U-ROLE'));
    expect([...before.roles]).toEqual([]);
    await changeElsewhere('roles', () => sql`insert into roles (person_id, role) values (${before.personId}, 'glossary_steward')`.execute(database.db));
    expect([...(await orgs.resolveActor(asking('U-ROLE'))).roles]).toEqual(['glossary_steward']);
    await changeElsewhere('roles', () => sql`delete from roles where person_id = ${before.personId}`.execute(database.db));
    expect([...(await orgs.resolveActor(asking('U-ROLE'))).roles]).toEqual([]);
  });

  it('counts a new name, e-mail or organisation of the person elsewhere from the next command', async () => {
    const before = await orgs.resolveActor(asking('U-NAME'));
    await changeElsewhere('people', () => sql`update people set display_name = 'Renamed', email = 'renamed@example.com' where id = ${before.personId}`.execute(database.db));
    const after = await orgs.resolveActor(asking('U-NAME'));
    expect([after.name, after.email]).toEqual(['Renamed', 'renamed@example.com']);
  });

  it('reads the identity again when it moved to another person elsewhere', async () => {
    const moving = await orgs.resolveActor(asking('U-MOVE'));
    const other = await orgs.resolveActor(asking('U-OTHER'));
    await changeElsewhere('identities', () => sql`update identities set person_id = ${other.personId} where external_user_id = 'U-MOVE'`.execute(database.db));
    expect((await orgs.resolveActor(asking('U-MOVE'))).personId).toBe(other.personId);
    expect(moving.personId).not.toBe(other.personId);
  });

  it('serves an actor for two seconds only while notices cannot arrive', async () => {
    orgs.actors.disable();
    try {
      const first = await orgs.resolveActor(asking('U-DEAF'));
      const now = Date.now();
      vi.spyOn(Date, 'now').mockReturnValue(now + 1_000);
      expect(await orgs.resolveActor(asking('U-DEAF'))).toBe(first);
      vi.spyOn(Date, 'now').mockReturnValue(now + 2_500);
      expect(await orgs.resolveActor(asking('U-DEAF'))).not.toBe(first);
      expect(orgs.actors.size).toBe(0);
    } finally {
      orgs.actors.enable();
    }
  });
});
