// Steward in Microsoft's own Teams client: the Microsoft 365 Agents Playground, started headless
// against an in-process Steward with the demo data, driven in Debian's Chromium. Every command in
// help and every button on the cards they produce is sent or clicked once, in a personal chat and in
// a channel with an @mention; after each step the client must still show the conversation, no page
// error may have been raised ("Saga error" is how the Playground's client reports a reply it cannot
// handle, and it blanks the screen), and the expected text must be visible. A screenshot per step is
// written to test/browser/screenshots/ (git-ignored) for a person to look at.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addIdentity } from '../../src/orgs/repo.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { seedDemo } from '../../src/seed/demo.js';
import { submitTerm } from '../../src/glossary/service.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PLAYGROUND_CLI = fileURLToPath(new URL('../../node_modules/@microsoft/m365agentsplayground/cli.js', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
// The Playground's own tenant and user (Alex Wilber), as the README names them.
const TENANT = '00000000-0000-0000-0000-0000000000001';
const ALEX = '00000000-0000-0000-0000-0000000000020';
const STEP_TIMEOUT = 30_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** What the page raised: uncaught errors and console errors that are not a blocked network fetch. */
interface PageTrouble {
  errors: string[];
}

class Client {
  readonly trouble: PageTrouble = { errors: [] };
  private step = 0;

  constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.trouble.errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      // The Playground fetches fonts, telemetry and animations from Microsoft's CDN; there is no network here.
      if (/Failed to load resource|Failed to load worklet|net::ERR_|status of 404/.test(text)) return;
      this.trouble.errors.push(`console error: ${text.slice(0, 300)}`);
    });
  }

  private get editor() {
    return this.page.locator('[data-lexical-editor="true"]');
  }

  private cards() {
    return this.page.locator('.ac-adaptiveCard');
  }

  /** Runs one step and checks what a person would see; fails with the step's name. */
  /**
   * `refusal`: the step is refused on purpose. Steward answers a refused Universal Action with the
   * contract's error response (HTTP 400, application/vnd.microsoft.error), which the Playground logs
   * as a console error; the client must still show the conversation and the refusal.
   */
  async check(name: string, act: () => Promise<void>, expected: string | RegExp, options: { refusal?: boolean } = {}): Promise<void> {
    const errorsBefore = this.trouble.errors.length;
    const file = join(SCREENSHOTS, `${String(++this.step).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    try {
      await act();
      await this.page.getByText(expected).last().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await this.page.waitForTimeout(300);
      await this.page.screenshot({ path: file });
      // Still the conversation: the composer and the messages are there (a Saga error blanks both).
      await this.editor.first().waitFor({ state: 'visible', timeout: 5_000 });
      expect(await this.cards().count()).toBeGreaterThan(0);
      const errors = this.trouble.errors.slice(errorsBefore).filter((e) => !(options.refusal && /console error: (Saga error )?\w+$/.test(e)));
      expect(errors, JSON.stringify(errors)).toEqual([]);
    } catch (error) {
      await this.page.screenshot({ path: file }).catch(() => undefined);
      throw new Error(`step “${name}” failed (screenshot ${file}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async say(text: string, expected: string | RegExp, name = text): Promise<void> {
    await this.check(
      `say ${name}`,
      async () => {
        await this.editor.click();
        await this.editor.fill(text);
        await this.page.keyboard.press('Enter');
      },
      expected,
    );
  }

  /** Clicks the button on the newest card that has it. */
  async click(label: string, expected: string | RegExp, name = label): Promise<void> {
    await this.check(`click ${name}`, () => this.page.getByRole('button', { name: label, exact: true }).last().click(), expected);
  }

  /** Starts a channel post with an @mention of the bot, picked from the client's suggestions as a person would. */
  private async mentionBot(): Promise<void> {
    await this.editor.first().click();
    await this.pickMention('Test', 'Test Bot');
  }

  /**
   * Types `@<typed>` and picks `name` from the client's suggestion menu, as a person would; tries again
   * when the pick did not take (on a loaded machine the menu can re-render under the click, and the
   * text then goes out without a mention). "Test Bot" is also every reply's sender name, so only a
   * menu item counts.
   */
  private async pickMention(typed: string, name: string): Promise<void> {
    const editor = this.editor.first();
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.type(`@${typed}`, { delay: 50 });
      const item = this.page.getByRole('menuitem', { name });
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      // The list settles once the last letters are filtered.
      await this.page.waitForTimeout(200);
      await item.click({ timeout: 10_000 });
      // A mention shows the name, without what was typed.
      const took = await expect
        .poll(async () => {
          const text = await editor.innerText();
          return !text.includes(`@${typed}`) && text.includes(name);
        }, { timeout: 3_000 })
        .toBe(true)
        .then(() => true, () => false);
      if (took) return;
      if (attempt >= 3) throw new Error(`the client did not take the @mention of ${name}`);
      for (let i = 0; i <= typed.length; i++) await this.page.keyboard.press('Backspace');
    }
  }

  /** A channel post that @mentions the bot. */
  async post(text: string, expected: string | RegExp, name = text): Promise<void> {
    await this.check(
      `post ${name}`,
      async () => {
        await this.mentionBot();
        await this.page.keyboard.type(` ${text}`);
        await this.page.getByRole('button', { name: 'Post', exact: true }).click();
      },
      expected,
    );
  }

  /** A channel post that @mentions the bot and, after `before`, a person (each picked from the client's suggestions). */
  async postMentioning(before: string, person: string, after: string, expected: string | RegExp, name: string): Promise<void> {
    await this.check(
      `post ${name}`,
      async () => {
        await this.mentionBot();
        await this.page.keyboard.type(` ${before} `, { delay: 30 });
        await this.pickMention(person.split(' ')[0]!, person);
        await this.page.keyboard.type(` ${after}`);
        await this.page.getByRole('button', { name: 'Post', exact: true }).click();
      },
      expected,
    );
  }

  /** Fills the newest form's text box (when given) and presses its submit button. */
  async submit(label: string, expected: string | RegExp, name: string, fill: { textarea?: string; refusal?: boolean } = {}): Promise<void> {
    await this.check(
      name,
      async () => {
        if (fill.textarea) await this.page.locator('textarea').last().fill(fill.textarea);
        await this.page.getByRole('button', { name: label, exact: true }).last().click();
      },
      expected,
      { refusal: fill.refusal ?? false },
    );
  }

  async open(conversation: string): Promise<void> {
    await this.page.getByText(conversation, { exact: true }).first().click();
    await this.editor.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  }
}

describe.skipIf(!existsSync(CHROMIUM))('Steward in the Agents Playground (Teams client, headless Chromium)', () => {
  let t: TestSteward;
  let playground: ChildProcess;
  let browser: Browser;
  let client: Client;
  let orgId: string;

  beforeAll(async () => {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    // A fixed port, so that chart links (PUBLIC_URL) point at this Steward and the client loads them.
    const stewardPort = await freePort();
    t = await startTestSteward({ env: { STEWARD_ALLOWED_INSTALLATIONS: `teams:${TENANT}`, PORT: String(stewardPort), PUBLIC_URL: `http://127.0.0.1:${stewardPort}` } });
    ({ orgId } = await seedDemo(t.database.db, { orgName: 'Acme' }));
    // Alex Wilber is an admin and a board member, as the README's quick start makes them.
    const alex = await personForEmail(t.database.db, orgId, 'alex.wilber@example.com', 'Alex Wilber');
    await addIdentity(t.database.db, alex, 'teams', TENANT, ALEX);
    for (const role of ['admin', 'board', 'glossary_steward'] as const) await grantRole(t.database.db, alex, { orgId, role, byLabel: 'browser test' });
    // Alex owns a task and the journey above it, so a ping about the task can be escalated (to Alex again).
    await t.database.db.updateTable('journeys').set({ owner_person_id: alex }).where('org_id', '=', orgId).where('key', 'in', ['first-invoice', 'billing']).execute();

    const port = await freePort();
    playground = spawn(process.execPath, [PLAYGROUND_CLI, '-e', `${t.url}/api/messages`, '-c', 'msteams', '-p', String(port), '--dt'], {
      env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', TEAMSAPPTESTER_LOGFILE: join(SCREENSHOTS, 'playground.log') },
      stdio: 'ignore',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    client = new Client(page);
    // The Playground listens a moment after it starts; its page says when Steward answered the install.
    for (let tries = 0; ; tries++) {
      try {
        await page.goto(`http://127.0.0.1:${port}`, { timeout: 10_000 });
        break;
      } catch (error) {
        if (tries > 30) throw error;
        await page.waitForTimeout(1_000);
      }
    }
    await page.getByText('installationUpdate').first().waitFor({ timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (playground && playground.exitCode === null) {
      const exited = new Promise((resolve) => playground.once('exit', resolve));
      playground.kill('SIGKILL');
      await exited;
    }
    await t?.close();
  });

  it('personal chat: every command in help, and the buttons of the cards they bring', async () => {
    const c = client;
    await c.open('Personal Chat');
    await c.say('help', 'Steward help');

    // Glossary: a term, its buttons, the History regression (the client used to blank), then another command.
    await c.say('glossary nps', 'Net Promoter Score');
    await c.click('History', 'History of Net Promoter Score');
    await c.say('journey list', 'Customer lifecycle', 'another command after History');
    await c.say('glossary nps', 'Net Promoter Score', 'glossary nps again');
    await c.click('Share in channel', /Net Promoter Score|channel/);
    await c.click('Suggest an edit', /Edit term|Suggest an edit/);
    await c.submit('Publish', /already says\. Nothing was changed/, 'Publish the unchanged form (refused)', { refusal: true });
    await c.click('Open Net Promoter Score', 'Net Promoter Score', 'Open from history');
    await c.say('glossary customer satisfaction', /Customer Satisfaction Score/);
    // A steward retires the term in favour of another: lookups lead on, and its own card opens the replacement.
    await c.say('glossary deprecate Customer satisfaction = CSAT', /now lead to “Customer Satisfaction Score”/, 'glossary deprecate');
    await c.say('glossary customer satisfaction', /“Customer satisfaction” is deprecated; “Customer Satisfaction Score” replaces it/, 'a retired term leads on');
    await c.say('glossary search satisfaction', /Glossary search: “satisfaction”/, 'glossary search satisfaction');
    await c.click('Customer satisfaction', 'Open Customer Satisfaction Score', 'open the retired term');
    await c.click('Open Customer Satisfaction Score', /Share of respondents answering 4 or 5/, 'Open the replacement');
    await c.say('glossary zebra crossing', /not in the glossary|No exact match/);
    await c.click('Propose this term', /Propose a term/);
    await c.say('glossary search promoter', /Glossary search/);
    await c.say('glossary recent', 'Recently changed terms');
    await c.say('glossary stats', 'Glossary stats');
    await c.say('glossary history nps', 'History of Net Promoter Score', 'glossary history');
    // Alex is a glossary steward: an edit is published at once, and the history offers a roll back.
    await c.say('glossary propose Touchpoint = Any moment at which a customer meets the company, in any channel.', /version 2/, 'edit a term');
    await c.say('glossary history touchpoint', 'History of Touchpoint', 'history after the edit');
    await c.click('Roll back to version 1', /Rolled back to version 1/, 'Roll back');
    // Someone else proposes two new terms: the approval requests reach Alex, a glossary steward, here.
    const office = await personForEmail(t.database.db, orgId, 'cx-office@example.com', 'CX office');
    const proposer = { personId: office, orgId, name: 'CX office', email: 'cx-office@example.com', roles: new Set<never>(), platform: 'slack' as const, platformUserId: 'UOFFICE' };
    const deps = { db: t.database.db, clock: t.clock, kickDelivery: (ids: string[]) => t.steward.services.kickDelivery(ids) };
    for (const name of ['Service recovery rate', 'Silent churn']) {
      await submitTerm(deps, proposer, undefined, { name, definition: `What ${name.toLowerCase()} means here, agreed by the board.`, notes: null, links: [], aliases: [] });
    }
    await c.check('approval requests arrive', async () => {}, 'New term proposed: Silent churn');
    await c.click('Approve', /Approved/, 'Approve a new term');
    await c.click('Reject', /Reject proposal/, 'Reject opens its form');
    await c.check('submit the rejection with a reason', async () => {
      await c.page.locator('textarea').last().fill('Too close to Churn rate; extend that definition instead.');
      await c.page.getByRole('button', { name: 'Reject', exact: true }).last().click();
    }, /Rejected by Alex Wilber|rejected/);
    await c.say('help glossary', 'Help: glossary');
    await c.say('glossary explain Our NPS rose but the QRX index fell', 'CX terms in this message');
    await c.click('Propose QRX', /Propose a term/);
    await c.say('glossary edit nps', 'Edit term', 'glossary edit');
    await c.say('glossary alias promoter score = Net Promoter Score', /“promoter score” already leads to “Net Promoter Score”\. Nothing was changed/, 'glossary alias (already there)');
    await c.say('glossary watch here', /a personal chat has nobody to nudge/, 'glossary watch in a personal chat');
    await c.say('me', 'How Steward reaches Alex Wilber');
    await c.say('me prefer teams', /Your direct messages from Steward now go to Teams/);

    // Journeys, pings and their buttons.
    await c.say('journey onboarding', 'Welcome journey');
    await c.click('Ping the owner', 'Ping the owner');
    await c.submit('Send ping', /Pinged: Welcome journey/, 'Send the ping form', { textarea: 'Avoidable calls about the welcome gift doubled this week' });
    await c.say('journey mine', 'Journeys you own');
    // Alex pings a journey; its owner is known only by e-mail and on no Teams roster here, so the ping
    // goes on to the admins: Alex, in this chat, with the ping's buttons.
    await c.say('journey ping onboarding Please look at the drop in onboarding NPS', /Pinged: Welcome journey/, 'journey ping');
    await c.click('Snooze 1 day', /[Ss]noozed/, 'Snooze the ping');
    await c.click('Acknowledge', /acknowledged/i, 'Acknowledge the ping');
    await c.click('Mark resolved', /resolved/i, 'Mark the ping resolved');
    await c.say('journey ping first-invoice The first invoice shows the wrong tariff', /Pinged: Understand first invoice/, 'ping a task Alex owns');
    await c.click('Escalate', 'Escalate this ping?', 'Escalate asks first');
    await c.check('confirm the escalation', () => c.page.getByRole('button', { name: 'Escalate', exact: true }).last().click(), /escalated/i);
    await c.say('journey history onboarding', 'History of Welcome journey');
    await c.say('journey add welcome-gift2 "Receive a welcome gift" task under onboarding', 'Added Receive a welcome gift', 'journey add');
    await c.say('journey move welcome-gift2 under onboarding', 'Moved Receive a welcome gift under Welcome journey', 'journey move');

    // KPIs.
    await c.say('kpi onboarding', /KPIs · Welcome journey/);
    await c.click('Details: nps-onboarding', /KPI · Onboarding NPS/);
    // The chart is an image the client loads from Steward: it must arrive, not show its alt text.
    const chart = c.page.locator('img[alt^="Chart of"]').last();
    await expect.poll(() => chart.evaluate((img) => ('naturalWidth' in img && typeof img.naturalWidth === 'number' ? img.naturalWidth : 0)), { timeout: STEP_TIMEOUT }).toBeGreaterThan(0);
    await chart.scrollIntoViewIfNeeded();
    await c.page.screenshot({ path: join(SCREENSHOTS, '21b-kpi-chart-at-card-width.png') });
    await c.click('Share in channel', /Onboarding NPS|channel/, 'Share KPI in channel');
    await c.say('kpi', /^KPIs$/);
    await c.say('kpi avoidable-onboarding', 'KPI · Avoidable contacts per 100 new customers');
    await c.say('kpi mute avoidable-onboarding', /is not in breach, so there is nothing to mute/, 'kpi mute (not in breach)');

    // Proposals and governance.
    await c.say('proposal list', 'Open proposals');
    await c.say('proposal show 1', 'Proposal #1: Call every new customer in their first week', 'proposal show 1');
    await c.click('Approve', /You voted Approve/, 'vote Approve');
    await c.click('Reject', /You changed your vote on #1 from Approve to Reject/, 'change the vote');
    await c.click('Vote with a comment', /Comment/, 'Vote with a comment');
    await c.submit('Vote', /Your comment/, 'Vote with the comment', { textarea: 'A call in week one is worth trying.' });
    await c.say('proposal extend 1 2d', /Voting on proposal #1 now closes/, 'proposal extend');
    await c.say('proposal withdraw 1', 'Only the proposer can withdraw proposal #1', 'proposal withdraw (not the proposer)');
    await c.say('proposal start 1', /only approved proposals move to in progress/, 'proposal start (still open)');
    await c.say('proposal done 1', /only approved proposals move to in progress and then done/, 'proposal done (still open)');
    await c.say('home', 'My Steward — Alex Wilber');
    await c.say('proposal new', 'New proposal');
    await c.say('settings', 'Governance settings');
    await c.click('Change settings', 'Governance settings', 'Change settings');
    await c.submit('Save', /[Ss]aved|Nothing was changed|Governance settings/, 'Save the settings form');
    await c.say('governance', /Governance channels|governance/);
    await c.say('schedule', 'Governance schedule');
    await c.say('schedule digest "0 9 * * 1"', /every Monday at 09:00/, 'schedule digest');
    await c.say('schedule timezone Europe/Amsterdam', 'Governance schedule updated', 'schedule timezone');
    await c.say('settings quorum 60%', /60% of the board/, 'settings quorum');
    await c.say('digest preview', /Preview: Governance digest/);
    await c.say('role list', 'Roles');
    await c.say('glosary nps', 'Unknown command', 'an unknown command');
  }, 420_000);

  it('a channel: Steward answers an @mention', async () => {
    const c = client;
    await c.page.getByText('General', { exact: true }).first().click();
    await c.post('help', 'Steward help', 'channel @mention help');
    await c.post('glossary nps', 'Net Promoter Score', 'channel @mention glossary');
    await c.click('History', 'History of Net Promoter Score', 'channel History');
    await c.post('governance here', 'This is now the governance channel', 'channel governance here');
    await c.post('governance off', 'Steward no longer posts proposals in this channel', 'channel governance off');
    await c.post('glossary watch here', 'Watching this channel', 'channel glossary watch here');
    await c.post('glossary unwatch here', /no longer watches this channel/, 'channel glossary unwatch here');
    // People are named by an @mention picked from the client's suggestions (Megan Bowen, a Playground member).
    await c.postMentioning('role grant', 'Megan Bowen', 'board', 'Megan Bowen is now a board member.', 'channel role grant with a mention');
    await c.postMentioning('role revoke', 'Megan Bowen', 'board', /Megan Bowen is no longer a board member/, 'channel role revoke with a mention');
    await c.postMentioning('settings board add', 'Megan Bowen', '', 'Megan Bowen is now on the board.', 'channel settings board add with a mention');
    await c.postMentioning('journey owner onboarding', 'Megan Bowen', '', /now owns Welcome journey; they have been told/, 'channel journey owner with a mention');
  }, 240_000);
});
