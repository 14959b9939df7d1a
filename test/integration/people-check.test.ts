// `steward people check` for a mixed organisation, as an admin runs it after importing: people
// reachable on Slack, on Teams, on both, and nowhere, each with the reason when not. People Slack was
// never asked about are looked up by e-mail (Slack at a fake); Teams answers from the rosters read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli.js';
import { loadConfig, type Config } from '../../src/config.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { recordRoster } from '../../src/reach/repo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeSlack } from '../support/fake-slack.js';

describe('steward people check', () => {
  let t: TestDatabase;
  let slack: FakeSlack;
  let config: Config;
  let orgId: string;

  async function steward(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    await buildCli(config, (line) => lines.push(line)).parseAsync(args, { from: 'user' });
    return lines;
  }

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    slack = await new FakeSlack().start();
    config = loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.apiUrl });
    orgId = (await orgsRepo.createOrganisation(t.db, 'Acme')).id;
    await orgsRepo.upsertInstallation(t.db, orgId, 'slack', 'T0001', 'acme');
    await orgsRepo.upsertInstallation(t.db, orgId, 'teams', 'tenant-0001', null);
    const person = async (email: string, name: string) => {
      const id = await personForEmail(t.db, orgId, email, name);
      await grantRole(t.db, id, { orgId, role: 'board', byLabel: 'test' });
      return id;
    };
    // Sam: known on Slack (has used it). Tia: in a Teams roster, and Slack knows her e-mail too.
    // Bo: known on both. Nemo: nowhere (no Slack account, in no roster). Quinn: no e-mail at all.
    const sam = await person('sam@example.com', 'Sam Slack');
    await orgsRepo.addIdentity(t.db, sam, 'slack', 'T0001', 'USAM');
    await person('tia@example.com', 'Tia Teams');
    slack.emails.set('UTIA', 'tia@example.com');
    const bo = await person('bo@example.com', 'Bo Both');
    await orgsRepo.addIdentity(t.db, bo, 'slack', 'T0001', 'UBO');
    await orgsRepo.addIdentity(t.db, bo, 'teams', 'tenant-0001', 'aad-bo');
    await person('nemo@example.com', 'Nemo Nowhere');
    const quinn = (await orgsRepo.createPerson(t.db, orgId, 'Quinn Quiet', null)).id;
    await grantRole(t.db, quinn, { orgId, role: 'admin', byLabel: 'test' });
    await recordRoster(t.db, 'tenant-0001', 'http://127.0.0.1:1/', [{ aadObjectId: 'aad-tia', memberId: '29:tia', name: 'Tia Teams', email: 'tia@example.com', userPrincipalName: 'tia@example.com' }], new Date());
  });
  afterAll(async () => {
    await slack.close();
    await t.drop();
  });

  it('lists everyone accountable with their reachability per platform and the reason when not', async () => {
    const lines = await steward('people', 'check');
    const block = (name: string) => {
      const at = lines.findIndex((l) => l.startsWith(name));
      return lines.slice(at, at + 3).join('\n');
    };
    expect(lines[0]).toBe('5 accountable people on Slack and Teams; 2 cannot be reached anywhere.');
    expect(block('Sam Slack')).toBe('Sam Slack <sam@example.com> (board)\n  Slack: reachable\n  Teams: NOT reachable: sam@example.com is not a member of any Teams team or chat Steward is installed in');
    expect(block('Tia Teams')).toBe('Tia Teams <tia@example.com> (board)\n  Slack: reachable\n  Teams: reachable');
    expect(block('Bo Both')).toBe('Bo Both <bo@example.com> (board)\n  Slack: reachable\n  Teams: reachable');
    expect(block('Nemo Nowhere')).toBe(
      'Nemo Nowhere <nemo@example.com> (board)\n  Slack: NOT reachable: no Slack account with nemo@example.com\n  Teams: NOT reachable: nemo@example.com is not a member of any Teams team or chat Steward is installed in',
    );
    expect(block('Quinn Quiet')).toContain('Quinn Quiet (admin)\n  Slack: NOT reachable: no e-mail address is recorded for them');
    // Looked up once each (Tia and Nemo); Sam and Bo are known, Quinn has no e-mail.
    expect(slack.callsOf('users.lookupByEmail').map((c) => c.args.email).sort()).toEqual(['nemo@example.com', 'tia@example.com']);

    // A second check asks Slack nothing new: found people are known now, misses are remembered.
    await steward('people', 'check');
    expect(slack.callsOf('users.lookupByEmail')).toHaveLength(2);
  });

  it('the reach sweep looks imported people up ahead of their first message, a few at a time, within Slack\'s pace', async () => {
    const { ReachSweep } = await import('../../src/reach/jobs.js');
    const { Reach } = await import('../../src/reach/resolver.js');
    const { SlackWebDirectory } = await import('../../src/slack/directory.js');
    const { systemClock } = await import('../../src/clock.js');
    const { createLogger } = await import('../../src/log.js');
    for (let i = 0; i < 6; i++) {
      const email = `owner${i}@example.com`;
      const id = await personForEmail(t.db, orgId, email, `owner${i}`);
      await grantRole(t.db, id, { orgId, role: 'glossary_steward', byLabel: 'test' });
      if (i % 2 === 0) slack.emails.set(`UOWNER${i}`, email);
    }
    const before = slack.callsOf('users.lookupByEmail').length;
    // A pace of one lookup a minute with a burst of 2: the first pass may ask Slack 3 times, then stops.
    const reach = new Reach({ db: t.db, clock: systemClock, platforms: ['slack', 'teams'], slack: new SlackWebDirectory({ botToken: 'xoxb-test-token', apiUrl: slack.apiUrl }), lookupIntervalMs: 60_000, lookupBurst: 2 });
    const sweep = new ReachSweep({ db: t.db, reach, clock: systemClock, log: createLogger('silent'), intervalMs: 60_000 });
    await t.db.deleteFrom('channel_send_slots').execute();
    await sweep.runOnce();
    expect(slack.callsOf('users.lookupByEmail').length - before).toBe(3);
    const found = await t.db.selectFrom('identities as i').innerJoin('people as p', 'p.id', 'i.person_id').select('p.email').where('p.email', 'like', 'owner%').execute();
    expect(found.map((f) => f.email).sort()).toEqual(['owner0@example.com', 'owner2@example.com']);
    const missed = await t.db.selectFrom('reach_checks as c').innerJoin('people as p', 'p.id', 'c.person_id').select(['p.email', 'c.reason']).where('c.platform', '=', 'slack').where('p.email', '=', 'owner1@example.com').execute();
    expect(missed).toEqual([{ email: 'owner1@example.com', reason: 'no Slack account with owner1@example.com' }]);
  });
});
