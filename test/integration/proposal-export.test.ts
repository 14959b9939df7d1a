// `steward export decisions`: the governance record as CSV, safe to open in a spreadsheet, with
// tallies and rules but never who voted what.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli.js';
import { loadConfig, type Config } from '../../src/config.js';
import { castVote, closeProposal, submitProposal } from '../../src/proposals/service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addGovernanceChannel, addPerson, createFixture, form, setRule } from '../support/proposal-fixtures.js';

describe('steward export decisions', () => {
  let database: TestDatabase;
  let config: Config;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    config = loadConfig({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('writes each decision with its tally and rule, neutralises formulas, and names no voter', async () => {
    const f = await createFixture(database.db);
    await addGovernanceChannel(f);
    const proposer = await addPerson(f, '@Paula Proposer');
    const board = await Promise.all(['Ada Secretvoter', 'Bo Secretvoter', 'Cy Secretvoter'].map((name) => addPerson(f, name, ['board'])));
    await setRule(f, { anonymousBallots: true, quorum: { kind: 'count', value: 2 } });
    const first = await submitProposal(f.services, proposer, form({ title: '=HYPERLINK("http://evil.example","click")', kpiImpact: '+5 NPS' }), crypto.randomUUID());
    await castVote(f.services, board[0]!, first.proposalId, 'approve');
    await castVote(f.services, board[1]!, first.proposalId, 'reject');
    await castVote(f.services, board[2]!, first.proposalId, 'approve');
    const second = await submitProposal(f.services, proposer, form({ title: 'Chat on the billing page' }), crypto.randomUUID());
    await castVote(f.services, board[0]!, second.proposalId, 'abstain');
    f.clock.advance(8 * 24 * 3_600_000);
    await closeProposal(f.services, first.proposalId);
    await closeProposal(f.services, second.proposalId);

    const lines: string[] = [];
    await buildCli(config, (line) => lines.push(line)).parseAsync(['export', 'decisions'], { from: 'user' });
    const csv = lines.join('\n');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      number: '1',
      title: `'=HYPERLINK("http://evil.example","click")`,
      outcome: 'approved',
      approve: '2',
      reject: '1',
      abstain: '0',
      not_voted: '0',
      board_size: '3',
      quorum_required: '2',
      majority: 'simple',
      ballots: 'anonymous',
      proposer: `'@Paula Proposer`,
      kpi_impact: `'+5 NPS`,
    });
    expect(rows[1]).toMatchObject({ number: '2', outcome: 'no_quorum', abstain: '1', not_voted: '2' });
    expect(csv).not.toContain('Secretvoter');
  });
});
