// The `proposal` command's answers as a person sees them: who voted what only on open ballots, the
// proposals waiting for my vote, a deadline extension typed as a date, and usage help for bad input.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { plainText, type Block, type Card } from '../../src/chat/card.js';
import type { ChatContext, Command } from '../../src/chat/capability.js';
import { InvalidInput } from '../../src/chat/errors.js';
import type { Reply } from '../../src/chat/request.js';
import type { Actor } from '../../src/chat/actor.js';
import { proposalsCapability } from '../../src/proposals/capability.js';
import { castVote, submitProposal } from '../../src/proposals/service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addGovernanceChannel, addPerson, createFixture, form, setRule, type Fixture } from '../support/proposal-fixtures.js';

function text(card: Card | undefined): string {
  const of = (block: Block): string => {
    switch (block.kind) {
      case 'text':
      case 'context':
        return plainText(block.text);
      case 'list':
        return block.items.map(plainText).join('\n');
      case 'fields':
        return block.fields.map((f) => `${f.label}: ${plainText(f.value)}`).join('\n');
      case 'actions':
        return block.buttons.map((b) => `[${b.label}]`).join(' ');
      default:
        return '';
    }
  };
  return card ? [card.title, card.subtitle ? plainText(card.subtitle) : '', ...card.blocks.map(of)].join('\n') : '';
}

describe('proposal commands', () => {
  let database: TestDatabase;
  let f: Fixture;
  let proposer: Actor;
  let board: Actor[];
  let admin: Actor;
  const deadlines: { proposalId: string; at: Date }[] = [];
  const command: Command = proposalsCapability({ deadlines: { schedule: (proposalId, at) => deadlines.push({ proposalId, at }) } }).commands[0]!;

  const run = (actor: Actor, args: string): Promise<Reply> => {
    const ctx: ChatContext = {
      actor,
      services: f.services,
      request: { platform: 'slack', installationId: 'T0001', user: { id: actor.platformUserId }, conversation: { id: 'C0TEAM', kind: 'channel' }, input: { kind: 'text', text: `proposal ${args}` }, mentions: [] },
    };
    return command.handle(ctx, args);
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    f = await createFixture(database.db);
    proposer = await addPerson(f, 'Paula Proposer');
    admin = await addPerson(f, 'Alma Admin', ['admin']);
    board = await Promise.all(['Ada Lovelace', 'Bo Diddley', 'Cy Young'].map((name) => addPerson(f, name, ['board'])));
    await addGovernanceChannel(f);
  });

  it('names who voted what on an open ballot, and nobody on an anonymous one', async () => {
    const open = await submitProposal({ ...f.services, deadlines: { schedule: () => {} } }, proposer, form(), crypto.randomUUID());
    await castVote(f.services, board[0]!, open.proposalId, 'approve', 'Long overdue');
    await castVote(f.services, board[1]!, open.proposalId, 'reject');
    const shown = text((await run(proposer, 'show 1')).private);
    expect(shown).toContain('Approve (1): Ada Lovelace');
    expect(shown).toContain('Reject (1): Bo Diddley');
    expect(shown).toContain('Ada Lovelace (Approve): Long overdue');

    await setRule(f, { anonymousBallots: true });
    const secret = await submitProposal(f.services, proposer, form({ title: 'Chat on the billing page' }), crypto.randomUUID());
    await castVote(f.services, board[0]!, secret.proposalId, 'approve', 'Only I should know');
    await castVote(f.services, board[1]!, secret.proposalId, 'reject');
    const anonymous = text((await run(proposer, 'show #2')).private);
    expect(anonymous).toContain('Approve 1 · Reject 1 · Abstain 0 · 1 not voted');
    expect(anonymous).toContain('Anonymous ballots');
    expect(anonymous).not.toMatch(/Ada Lovelace|Bo Diddley|Only I should know/);
    // Who has not voted yet is still shown: turnout is not a secret, choices are.
    expect(anonymous).toContain('Not voted yet: Cy Young');
  });

  it('lists the open proposals and marks the ones waiting for my vote', async () => {
    const first = await submitProposal(f.services, proposer, form(), crypto.randomUUID());
    await submitProposal(f.services, proposer, form({ title: 'Chat on the billing page' }), crypto.randomUUID());
    await castVote(f.services, board[0]!, first.proposalId, 'approve');
    const listed = text((await run(board[0]!, 'list')).private);
    expect(listed).toContain('1 waits for your vote.');
    expect(listed).toMatch(/#1 Welcome call in the first week — until .* — you voted Approve/);
    expect(listed).toMatch(/#2 Chat on the billing page — until .* — waiting for your vote/);
    expect(text((await run(proposer, 'list')).private)).not.toContain('waiting for your vote');
  });

  it('extends a deadline to a date in the organisation’s time zone and schedules the new closing', async () => {
    await setRule(f, { timeZone: 'Europe/Amsterdam' });
    await submitProposal(f.services, proposer, form(), crypto.randomUUID());
    const reply = await run(admin, 'extend 1 2027-04-20 12:30');
    expect(text(reply.private)).toContain('now closes Tue 20 Apr, 12:30 (Europe/Amsterdam)');
    // 12:30 in Amsterdam in April (summer time) is 10:30 UTC.
    expect(deadlines.at(-1)?.at.toISOString()).toBe('2027-04-20T10:30:00.000Z');
  });

  it('answers bad input with what was expected and changes nothing', async () => {
    await expect(run(proposer, 'show seventeen')).rejects.toThrow('Say which proposal by its number, e.g. 17 or #17');
    await expect(run(proposer, 'show 99')).rejects.toThrow('There is no proposal #99');
    await expect(run(proposer, 'frobnicate')).rejects.toBeInstanceOf(InvalidInput);
    await submitProposal(f.services, proposer, form(), crypto.randomUUID());
    await expect(run(admin, 'extend 1 soon')).rejects.toThrow('Say how long to extend by (2d, 36h) or until when');
    await expect(run(board[0]!, 'extend 1 2d')).rejects.toThrow('Only admins can extend a voting deadline');
  });
});
