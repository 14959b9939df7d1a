// POST /api/messages: the Bot Framework endpoint. A body that is not a JSON activity is refused with
// 400 here; the rest goes through the CloudAdapter (JWT check) to the bot.
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { sendJson, type Route } from '../http/server.js';
import { activityProblem, processTeamsRequest } from './adapter.js';

export function teamsRoute(adapter: CloudAdapter, bot: { run(context: TurnContext): Promise<void> }): Route {
  return {
    method: 'POST',
    path: '/api/messages',
    name: 'teams',
    maxBodyBytes: 2_000_000,
    handler: async (req, res, body) => {
      let activity: unknown;
      try {
        activity = JSON.parse(body.toString('utf8'));
      } catch {
        sendJson(res, 400, { error: 'the body is not a JSON activity' });
        return '400';
      }
      const problem = activityProblem(activity);
      if (problem) {
        sendJson(res, 400, { error: problem });
        return '400';
      }
      const status = await processTeamsRequest(adapter, req, res, activity, (context) => bot.run(context));
      return String(status);
    },
  };
}
