// Governance settings: stored beside other capabilities' keys without clobbering them, one governance
// channel per Slack workspace / Teams tenant, the parsers' messages, and the `steward settings` CLI.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ballotsText, majorityText, quorumText, readGovernanceSettings, timeZoneText, votingPeriodText } from '../../src/governance/schema.js';
import { governanceChannels, loadGovernanceSettings, makeGovernanceChannel, updateGovernanceSettings } from '../../src/governance/service.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { createFixture } from '../support/proposal-fixtures.js';

describe('settings parsers', () => {
  it('reads voting periods, quorums, majority rules, ballot kinds and time zones as people type them', () => {
    expect(votingPeriodText.parse('7d')).toBe(168);
    expect(votingPeriodText.parse('36 hours')).toBe(36);
    expect(votingPeriodText.parse('2w')).toBe(336);
    expect(quorumText.parse('60%')).toEqual({ kind: 'share', value: 0.6 });
    expect(quorumText.parse('5')).toEqual({ kind: 'count', value: 5 });
    expect(majorityText.parse('2/3')).toBe('two-thirds');
    expect(ballotsText.parse('Anonymous')).toBe(true);
    expect(timeZoneText.parse(' Europe/Paris ')).toBe('Europe/Paris');
  });

  it('names what it expected when the text is wrong', () => {
    expect(votingPeriodText.safeParse('soon').error?.issues[0]?.message).toBe('“soon” is not a voting period: write hours or days, e.g. 48h or 7d');
    expect(votingPeriodText.safeParse('0d').error?.issues[0]?.message).toContain('from 1 hour to 90 days');
    expect(quorumText.safeParse('150%').error?.issues[0]?.message).toContain('is not a quorum');
    expect(quorumText.safeParse('0').error?.issues[0]?.message).toContain('is not a quorum');
    expect(majorityText.safeParse('most').error?.issues[0]?.message).toContain('write simple or two-thirds');
    expect(timeZoneText.safeParse('Mars/Olympus').error?.issues[0]?.message).toContain('is not a time zone');
  });

  it('falls back to the default of one bad stored key without losing the others', () => {
    const read = readGovernanceSettings({ votingPeriodHours: 'a week', quorum: { kind: 'count', value: 4 }, anonymousBallots: true });
    expect(read).toMatchObject({ votingPeriodHours: 168, quorum: { kind: 'count', value: 4 }, anonymousBallots: true, majority: 'simple', governanceChannels: [] });
  });
});

describe.each(DATABASE_KINDS)('settings storage on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('changes only the keys it is given and leaves other capabilities’ settings alone', async () => {
    const f = await createFixture(database.db);
    await sql`update organisations set settings = ${JSON.stringify({ escalationDelayHours: 6, governanceSchedule: { digestCron: '0 8 * * 1' } })}::jsonb where id = ${f.orgId}`.execute(database.db);
    await updateGovernanceSettings(database.db, f.orgId, { quorum: { kind: 'share', value: 0.6 }, timeZone: 'Europe/Paris' });
    await updateGovernanceSettings(database.db, f.orgId, { anonymousBallots: true });
    const org = await database.db.selectFrom('organisations').select(['settings', 'time_zone']).where('id', '=', f.orgId).executeTakeFirstOrThrow();
    expect(org.settings).toEqual({ escalationDelayHours: 6, governanceSchedule: { digestCron: '0 8 * * 1' }, quorum: { kind: 'share', value: 0.6 }, anonymousBallots: true });
    expect(org.time_zone).toBe('Europe/Paris');
    await expect(updateGovernanceSettings(database.db, f.orgId, { votingPeriodHours: 0 })).rejects.toThrow();
    expect((await loadGovernanceSettings(database.db, f.orgId)).votingPeriodHours).toBe(168);
  });

  it('keeps one governance channel per Slack workspace or Teams tenant', async () => {
    const f = await createFixture(database.db);
    const suffix = f.orgId.slice(0, 8);
    const slack = (id: string, team = 'T0001') => makeGovernanceChannel(database.db, f.orgId, { platform: 'slack', installationExternalId: team, externalId: `${id}${suffix}`, kind: 'channel', name: id.toLowerCase() });
    await slack('CBOARD');
    const second = await slack('CGOVERN');
    expect(second.replaced.map((c) => c.externalId)).toEqual([`CBOARD${suffix}`]);
    await slack('COTHERWS', 'T0002');
    await makeGovernanceChannel(database.db, f.orgId, { platform: 'teams', installationExternalId: 'tenant-1', externalId: `19:gov-${suffix}@thread.tacv2`, kind: 'channel', name: 'Governance' });
    const channels = await governanceChannels(database.db, f.orgId);
    expect(channels.map((c) => [c.platform, c.externalId])).toEqual([
      ['slack', `CGOVERN${suffix}`],
      ['slack', `COTHERWS${suffix}`],
      ['teams', `19:gov-${suffix}@thread.tacv2`],
    ]);
    // Doing it again changes nothing.
    expect((await slack('CGOVERN')).replaced).toEqual([]);
    expect(await governanceChannels(database.db, f.orgId)).toHaveLength(3);
  });
});

describe('steward settings (CLI)', () => {
  let database: TestDatabase;
  let config: Config;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    config = loadConfig({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await database.drop();
  });

  async function run(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    await buildCli(config, (line) => lines.push(line)).parseAsync(args, { from: 'user' });
    return lines;
  }

  it('sets the rules, names a bad value, and makes a Slack channel the governance channel', async () => {
    const f = await createFixture(database.db);
    await database.db.insertInto('installations').values({ org_id: f.orgId, platform: 'slack', external_id: 'T0CLI001', name: 'acme' }).execute();
    const shown = await run('settings', 'set', '--voting-period', '5d', '--quorum', '60%', '--majority', 'two-thirds', '--ballots', 'anonymous', '--time-zone', 'Europe/London');
    expect(shown).toEqual(
      expect.arrayContaining([
        'Voting period:       5 days',
        'Quorum:              60% of the board',
        'Majority:            two-thirds majority of votes cast',
        'Ballots:             anonymous',
        'Time zone:           Europe/London',
      ]),
    );
    await expect(run('settings', 'set', '--quorum', 'most')).rejects.toThrow('--quorum: “most” is not a quorum');
    expect(await run('settings', 'channel', '--platform', 'slack', '--channel', 'C0CLIGOV', '--name', 'governance')).toEqual(['C0CLIGOV is now the governance channel (slack T0CLI001).']);
    await expect(run('settings', 'channel', '--platform', 'teams', '--channel', '19:unknown@thread.tacv2')).rejects.toThrow('does not know the Teams channel');
    expect(await run('settings', 'show')).toContain('Governance channels: #governance (Slack)');
  });
});
