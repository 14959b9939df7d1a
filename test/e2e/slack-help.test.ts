// /cx help through /slack/events exactly as Slack sends it, and every way a request can be refused.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSlack, sign, slashCommandBody, SIGNING_SECRET } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

describe('Slack: /cx help end to end', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t.close();
  });

  const peopleCount = async () => Number((await t.database.db.selectFrom('people').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('answers a signed /cx help with the help card, privately, in the acknowledgement', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help', response_url: t.slack.responseUrl('help') }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { response_type: string; blocks: { type: string; text?: { text: string } }[]; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Steward help' } });
    const rendered = JSON.stringify(body.blocks);
    expect(rendered).toContain('help');
    expect(rendered).toContain('role');
    expect(body.text).toContain('Steward commands');
  });

  it('teaches: help is four things with the slash command to type, and help <command> gives its examples', async () => {
    const short = JSON.stringify(await (await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help' }))).json());
    for (const example of ['/glossary nps', '/journey onboarding', '/kpi onboarding', '/proposal new', '/cx help glossary']) expect(short).toContain(example);
    const glossary = JSON.stringify(await (await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help glossary' }))).json());
    expect(glossary).toContain('Help: glossary');
    expect(glossary).toContain('/glossary explain');
    // A command inside a description is written as the person types it, as code.
    for (const command of ['/glossary unwatch here', '/glossary propose']) expect(glossary).toContain(`"text":"${command}","style":{"code":true}`);
    const settings = JSON.stringify(await (await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help settings' }))).json());
    expect(settings).toContain('/cx settings');
    const unknown = JSON.stringify(await (await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help glosary' }))).json());
    expect(unknown).toContain('Did you mean');
  });

  it('answers /cx with no text with help too, and an unknown command with the closest one', async () => {
    const empty = await postSlack(t.url, slashCommandBody({ command: '/cx', text: '' }));
    expect(JSON.stringify(await empty.json())).toContain('Steward help');
    const typo = await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'hlep' }));
    const body = JSON.stringify(await typo.json());
    expect(body).toContain('Unknown command');
    expect(body).toContain('help');
  });

  it('refuses a bad signature with 401 and executes nothing', async () => {
    const before = await peopleCount();
    const body = slashCommandBody({ command: '/cx', text: 'help', user_id: 'UFORGED1' });
    const response = await postSlack(t.url, body, sign(body, undefined, 'not-the-secret'));
    expect(response.status).toBe(401);
    expect(await peopleCount()).toBe(before);
  });

  it('refuses a correctly signed request older than five minutes', async () => {
    const before = await peopleCount();
    const body = slashCommandBody({ command: '/cx', text: 'help', user_id: 'USTALE01' });
    const response = await postSlack(t.url, body, sign(body, Math.floor(Date.now() / 1000) - 6 * 60, SIGNING_SECRET));
    expect(response.status).toBe(401);
    expect(await peopleCount()).toBe(before);
  });

  it('refuses a request without signature headers', async () => {
    const body = slashCommandBody({ command: '/cx', text: 'help', user_id: 'UNOHEAD1' });
    const response = await postSlack(t.url, body, {});
    expect(response.status).toBe(401);
  });

  it('answers a signed but malformed body with 400', async () => {
    const body = 'payload=%7Bnot-json';
    const response = await postSlack(t.url, body);
    expect(response.status).toBe(400);
  });

  it('refuses a body whose signature was made for another body', async () => {
    const original = slashCommandBody({ command: '/cx', text: 'help' });
    const tampered = slashCommandBody({ command: '/cx', text: 'role grant <@U0002> admin' });
    const response = await postSlack(t.url, tampered, sign(original));
    expect(response.status).toBe(401);
  });

  it('acknowledges within Slack\'s 3 s even when the Web API is unreachable', async () => {
    t.slack.down = true;
    try {
      const started = Date.now();
      const response = await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help', user_id: 'UNEWUSER' }));
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(JSON.stringify(await response.json())).toContain('Steward help');
    } finally {
      t.slack.down = false;
    }
  });

  it('refuses a body over 1 MB with 413, announced or sent in chunks without a length, and changes nothing', async () => {
    const before = await peopleCount();
    const big = `${slashCommandBody({ command: '/cx', text: 'help' })}&padding=${'x'.repeat(1_100_000)}`;
    const announced = await postSlack(t.url, big);
    expect(announced.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 12; i++) req.write('x'.repeat(100_000));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(await peopleCount()).toBe(before);
  });
});
