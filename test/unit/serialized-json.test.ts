// Bodies serialised once (src/http/serialized-json.ts): the HTTP server and Slack receiver send the string as is;
// anything else that serialises the body (Bolt's Socket Mode receiver) gets the object it stands for.
import { expect, it } from 'vitest';
import { SerializedJson } from '../../src/http/serialized-json.js';

it('serialises as the object it holds, for receivers that JSON.stringify the acknowledgement', () => {
  const body = { response_type: 'ephemeral', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a "quoted" <b>' } }], text: 'fallback' };
  const serialized = new SerializedJson(JSON.stringify(body));
  expect(JSON.parse(JSON.stringify({ envelope_id: 'e1', payload: serialized }))).toEqual({ envelope_id: 'e1', payload: body });
  expect(serialized.json).toBe(JSON.stringify(body));
});
