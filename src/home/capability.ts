// `home`: My Steward in chat (Teams, and Slack's /cx home); Slack's Home tab shows the same card.
import type { Capability } from '../chat/capability.js';
import { homeCard } from './cards.js';
import { homeOf } from './service.js';

export const homeCapability: Capability = {
  name: 'home',
  commands: [
    {
      word: 'home',
      summary: 'what waits for you: pings, votes, your journeys’ KPIs, approvals, your proposals',
      usage: [{ example: '', description: 'My Steward, with the buttons to act on each' }],
      handle: async (ctx) => ({ private: homeCard(await homeOf(ctx.services, ctx.actor), ctx.request.platform) }),
    },
  ],
  actions: [],
};
