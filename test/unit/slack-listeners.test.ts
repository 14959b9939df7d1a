// Steward's Slack listeners behind one Bolt middleware (src/slack/listeners.ts): each request reaches
// the listener Bolt's own filters would have chosen, and no other. The end-to-end Slack tests send
// every kind through the real Bolt app; these cover what they do not: what no listener takes, and a
// failing listener beside another.
import { describe, expect, it } from 'vitest';
import type { AnyMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import { SlackListeners } from '../../src/slack/listeners.js';

type Args = AnyMiddlewareArgs & AllMiddlewareArgs;
const run = (listeners: SlackListeners, args: Record<string, unknown>) => listeners.middleware(args as unknown as Args);

function recording() {
  const calls: string[] = [];
  const listeners = new SlackListeners();
  listeners.command(async () => void calls.push('command'));
  listeners.action(async () => void calls.push('action'));
  listeners.viewSubmission('form', async () => void calls.push('form'));
  listeners.shortcut('lookup', async () => void calls.push('shortcut lookup'));
  listeners.event('app_mention', async () => void calls.push('mention'));
  listeners.event('message', async () => void calls.push('message 1'));
  listeners.event('message', async () => void calls.push('message 2'));
  return { calls, listeners };
}

describe('Slack listeners behind one middleware', () => {
  it('calls the one listener each kind of request is for', async () => {
    const { calls, listeners } = recording();
    await run(listeners, { command: { command: '/cx' }, body: {}, payload: {} });
    await run(listeners, { action: { action_id: 'a' }, payload: { action_id: 'a' }, body: { type: 'block_actions' } });
    await run(listeners, { view: { callback_id: 'form' }, payload: {}, body: { type: 'view_submission', view: { callback_id: 'form' } } });
    await run(listeners, { shortcut: { callback_id: 'lookup' }, payload: {}, body: { callback_id: 'lookup' } });
    await run(listeners, { event: { type: 'app_mention' }, payload: {}, body: {} });
    await run(listeners, { event: { type: 'message' }, message: {}, payload: {}, body: {} });
    expect(calls).toEqual(['command', 'action', 'form', 'shortcut lookup', 'mention', 'message 1', 'message 2']);
  });

  it('leaves alone what no listener is for, as Bolt’s filters do', async () => {
    const { calls, listeners } = recording();
    // A legacy attachment action has no action_id; a closed modal, another modal, another shortcut, another event.
    await run(listeners, { action: { name: 'legacy' }, payload: { name: 'legacy' }, body: { type: 'interactive_message' } });
    await run(listeners, { view: { callback_id: 'form' }, payload: {}, body: { type: 'view_closed', view: { callback_id: 'form' } } });
    await run(listeners, { view: { callback_id: 'other' }, payload: {}, body: { type: 'view_submission', view: { callback_id: 'other' } } });
    await run(listeners, { shortcut: { callback_id: 'other' }, payload: {}, body: { callback_id: 'other' } });
    await run(listeners, { event: { type: 'reaction_added' }, payload: {}, body: {} });
    expect(calls).toEqual([]);
  });

  it('runs every listener of an event when one fails, then reports the failure', async () => {
    const calls: string[] = [];
    const listeners = new SlackListeners();
    listeners.event('message', async () => {
      throw new Error('first failed');
    });
    listeners.event('message', async () => void calls.push('second'));
    await expect(run(listeners, { event: { type: 'message' }, message: {}, payload: {}, body: {} })).rejects.toThrow('first failed');
    expect(calls).toEqual(['second']);
  });
});
