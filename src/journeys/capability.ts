// `journey …` in chat and the buttons of journey cards: parses what was typed or clicked, calls the
// service and answers with cards. Pings (`journey ping`, `mine`, `history`) are subcommands the pings
// capability answers (src/pings/capability.ts); this module imports nothing of it.
import type { Capability, ChatContext } from '../chat/capability.js';
import { defineAction } from '../chat/capability.js';
import { splitFirstWord } from '../chat/words.js';
import { code, context, mention, para, text } from '../chat/card.js';
import { InvalidInput } from '../chat/errors.js';
import type { Reply } from '../chat/request.js';
import { mentionedPerson, personRef, personRefs } from '../orgs/people.js';
import { addJourneyForm, JOURNEY_ACTIONS, journeyCard, journeyCardSections, type JourneyCardSection, journeyListCard, noticeCard } from './cards.js';
import { pick } from './pick.js';
import { addFormPayload, addFormValues, describeIssue, escalationDelayHours as delaySchema, journeyKey, journeyLevel, journeyName, journeyPayload } from './schema.js';
import { addJourney, addJourneyFormRows, changeEscalationDelay, journeyCardFacts, loadTree, moveJourney, setChannel, setDeputy, setOwner } from './service.js';
import { escalationDelayHours, formatHours } from './settings.js';

/** A subcommand of `journey` that another capability answers (pings: `ping`, `mine`, `history`). */
export type JourneyVerb = (ctx: ChatContext, rest: string) => Promise<Reply>;

export interface JourneysCapabilityDeps {
  /** What other capabilities add to the journey card (src/chat/card-sections.ts). */
  cardSections?: readonly JourneyCardSection[];
  /** Subcommands other capabilities answer, by their word; journeys imports none of them. */
  verbs?: Readonly<Record<string, JourneyVerb>>;
}

const USAGE = [
  '`journey <journey>` shows a journey',
  '`journey history <journey>`',
  '`journey list`',
  '`journey mine`',
  '`journey ping <journey> <message>`',
  '`journey owner <journey> @person` (or `none`)',
  '`journey deputy <journey> @person` (or `none`)',
  '`journey add <key> "<name>" <lifecycle|journey|task> [under <parent>]`',
  '`journey move <journey> under <parent>` (or `to top`)',
  '`journey channel <journey>` (in the channel to link)',
  '`journey delay [hours]`',
].join(', ');

/** Words of command text, "quoted phrases" (straight or curly quotes) kept together. */
function words(args: string): string[] {
  const out: string[] = [];
  for (const match of args.matchAll(/"([^"]*)"|“([^”]*)”|(\S+)/g)) out.push(match[1] ?? match[2] ?? match[3] ?? '');
  return out.filter(Boolean);
}

const MENTION = /^<@[^>]+>$/;

function afterCommit(ctx: ChatContext, outboxIds: string[]): void {
  if (outboxIds.length) ctx.services.kickDelivery(outboxIds);
}

async function show(deps: JourneysCapabilityDeps, ctx: ChatContext, typed: string, options: { journeyId?: string } = {}): Promise<Reply> {
  const { db } = ctx.services;
  const { tree, rows } = await loadTree(db, ctx.actor.orgId);
  const picked = pick(rows, typed, options.journeyId, JOURNEY_ACTIONS.show);
  if ('card' in picked) return { private: picked.card };
  const { journey, closestFor } = picked;
  const people = rows.flatMap((r) => [r.ownerPersonId, r.deputyPersonId]).filter((id): id is string => Boolean(id));
  const [refs, { channelName, openPings }, extra] = await Promise.all([
    personRefs(db, people),
    journeyCardFacts(db, journey),
    journeyCardSections(deps.cardSections ?? [], { db, orgId: ctx.actor.orgId, journeyId: journey.id, journeyKey: journey.key }, (name, error) =>
      ctx.services.log.warn({ err: error, section: name }, 'a journey card section failed'),
    ),
  ]);
  return { private: journeyCard({ journey, tree, refs, channelName, openPings, extra, closestFor }) };
}

async function list(ctx: ChatContext): Promise<Reply> {
  const { tree, rows } = await loadTree(ctx.services.db, ctx.actor.orgId);
  const refs = await personRefs(ctx.services.db, rows.map((r) => r.ownerPersonId).filter((id): id is string => Boolean(id)));
  return { private: journeyListCard(tree, refs) };
}

async function owner(ctx: ChatContext, rest: string, role: 'owner' | 'deputy'): Promise<Reply> {
  const usage = `Usage: \`journey ${role} <journey> @person\` (or \`none\`).`;
  const parts = words(rest);
  const last = parts.at(-1);
  if (!last || parts.length < 2) throw new InvalidInput(usage);
  const journeyTyped = rest.slice(0, rest.lastIndexOf(last)).trim().replace(/^["“]|["”]$/g, '');
  const clearing = last.toLowerCase() === 'none';
  if (!clearing && !MENTION.test(last)) throw new InvalidInput(`“${last}” is not a mention of a person. ${usage}`);
  const person = clearing ? null : await mentionedPerson(ctx, last, usage);
  const deps = { db: ctx.services.db, clock: ctx.services.clock };
  if (role === 'owner') {
    const result = await setOwner(deps, ctx.actor, journeyTyped, person);
    afterCommit(ctx, result.outboxIds);
    const who = person ? await personRef(ctx.services.db, person.personId) : undefined;
    const message = !result.changed
      ? para(`Nothing changed: that already is the owner of ${result.journey.name}.`)
      : who
        ? para(mention(who), text(` now owns ${result.journey.name}${person?.personId === ctx.actor.personId ? '.' : '; they have been told.'}`))
        : para(`${result.journey.name} no longer has an owner of its own; it inherits the owner above it.`);
    return { private: noticeCard('Journey owner', message) };
  }
  const result = await setDeputy(deps, ctx.actor, journeyTyped, person);
  const who = person ? await personRef(ctx.services.db, person.personId) : undefined;
  const message = !result.changed
    ? para(`Nothing changed: that already is the deputy of ${result.journey.name}.`)
    : who
      ? para(mention(who), text(` is now the deputy of ${result.journey.name}: they receive its pings too and may acknowledge them.`))
      : para(`${result.journey.name} no longer has a deputy.`);
  return { private: noticeCard('Journey deputy', message) };
}

async function add(deps: JourneysCapabilityDeps, ctx: ChatContext, rest: string): Promise<Reply> {
  if (!rest) return { form: addJourneyForm(await addJourneyFormRows(ctx.services, ctx.actor)) };
  const usage = 'Usage: `journey add <key> "<name>" <lifecycle|journey|task> [under <parent>]`, e.g. `journey add welcome-gift "Receive welcome gift" task under onboarding`.';
  const parts = words(rest);
  const underAt = parts.findIndex((p, i) => i >= 3 && p.toLowerCase() === 'under');
  const [key, name, level] = parts;
  if (!key || !name || !level || (parts.length > 3 && underAt !== 3) || (underAt === 3 && parts.length < 5)) throw new InvalidInput(usage);
  const parsed = {
    key: journeyKey.safeParse(key),
    name: journeyName.safeParse(name),
    level: journeyLevel.safeParse(level.toLowerCase()),
  };
  if (!parsed.key.success) throw new InvalidInput(`key: expected ${describeIssue(parsed.key.error)}. ${usage}`);
  if (!parsed.name.success) throw new InvalidInput(`name: expected ${describeIssue(parsed.name.error)}. ${usage}`);
  if (!parsed.level.success) throw new InvalidInput(`level: expected lifecycle, journey or task, not “${level}”. ${usage}`);
  const parent = underAt === 3 ? parts.slice(4).join(' ') : undefined;
  return added(deps, ctx, { key: parsed.key.data, name: parsed.name.data, level: parsed.level.data, parent });
}

async function added(deps: JourneysCapabilityDeps, ctx: ChatContext, input: Parameters<typeof addJourney>[2]): Promise<Reply> {
  const journey = await addJourney({ db: ctx.services.db, clock: ctx.services.clock }, ctx.actor, input);
  const reply = await show(deps, ctx, journey.key, { journeyId: journey.id });
  const card = reply.private;
  return {
    private: card
      ? { ...card, blocks: [para(`Added ${journey.name}. It has no owner of its own yet: `, code(`journey owner ${journey.key} @person`)), ...card.blocks] }
      : noticeCard('Journey added', para(`Added ${journey.name}.`)),
  };
}

async function move(ctx: ChatContext, rest: string): Promise<Reply> {
  const usage = 'Usage: `journey move <journey> under <parent>`, or `journey move <journey> to top`.';
  // "under" wins over "to", which may well be part of a journey's name ("Back to school").
  const textIn = rest.trim();
  const lower = ` ${textIn.toLowerCase()} `;
  const under = lower.lastIndexOf(' under ');
  const [at, length] = under >= 0 ? [under, 7] : [lower.lastIndexOf(' to '), 4];
  if (at <= 0) throw new InvalidInput(usage);
  const unquote = (value: string) => value.trim().replace(/^["“]|["”]$/g, '');
  const journeyTyped = unquote(textIn.slice(0, at - 1));
  const target = unquote(textIn.slice(at - 1 + length));
  if (!journeyTyped || !target) throw new InvalidInput(usage);
  const toTop = /^(top|root|none)$/i.test(target);
  const result = await moveJourney({ db: ctx.services.db, clock: ctx.services.clock }, ctx.actor, journeyTyped, toTop ? null : target);
  const what = result.moved > 1 ? `${result.journey.name} and the ${result.moved - 1} journeys under it` : result.journey.name;
  return { private: noticeCard('Journey moved', para(result.parent ? `Moved ${what} under ${result.parent.name}.` : `Moved ${what} to the top of the tree.`)) };
}

async function channel(ctx: ChatContext, rest: string): Promise<Reply> {
  if (!rest) throw new InvalidInput('Usage: `journey channel <journey>`, typed in the channel to link.');
  const { request } = ctx;
  const journey = await setChannel({ db: ctx.services.db, clock: ctx.services.clock }, ctx.actor, rest, {
    platform: request.platform,
    installationId: request.installationId,
    id: request.conversation.id,
    kind: request.conversation.kind,
    name: request.conversation.name,
  });
  return { private: noticeCard('Journey channel', para(`This conversation is now the channel of ${journey.name}.`)) };
}

async function delay(ctx: ChatContext, rest: string): Promise<Reply> {
  const { db } = ctx.services;
  if (!rest) {
    const hours = await escalationDelayHours(db, ctx.actor.orgId);
    return { private: noticeCard('Escalation delay', para(`An unacknowledged ping escalates after ${formatHours(hours)}. Admins change it with `), context(code('journey delay <hours>'))) };
  }
  const parsed = delaySchema.safeParse(rest.replace(/\s*(h|hours?)$/i, ''));
  if (!parsed.success) throw new InvalidInput(`The delay must be ${parsed.error.issues[0]?.message ?? 'a number of hours'}, e.g. \`journey delay 24\`. Nothing was changed.`);
  await changeEscalationDelay(ctx.services, ctx.actor, parsed.data);
  return { private: noticeCard('Escalation delay', para(`New pings now escalate after ${formatHours(parsed.data)} without acknowledgement (pings already sent keep their time).`)) };
}


export function journeysCapability(deps: JourneysCapabilityDeps = {}): Capability {
  return {
    name: 'journeys',
    commands: [
      {
        word: 'journey',
        summary: 'customer journeys, their owners, and pings to them',
        usage: [
          { example: 'onboarding', description: 'a journey: owner, parent, sub-journeys, KPIs' },
          { example: 'list', description: 'the whole tree with owners' },
          { example: 'mine', description: 'journeys you own and pings waiting for you' },
          { example: 'history onboarding', description: 'what changed, by whom, and every ping with its steps, newest first' },
          { example: 'ping onboarding Avoidable calls doubled this week', description: 'message the accountable owner, with acknowledge / escalate' },
          { example: 'owner onboarding @person', description: 'name the owner (admins, or the owner handing over)' },
          { example: 'add welcome-gift "Receive welcome gift" task under onboarding', description: 'add a journey (admins)' },
          { example: 'move welcome-gift under onboarding', description: 'move a journey and everything under it (admins)' },
        ],
        async handle(ctx, args) {
          const { verb, rest } = splitFirstWord(args);
          const extension = deps.verbs?.[verb];
          if (extension) return extension(ctx, rest);
          switch (verb) {
            case '':
            case 'list':
            case 'tree':
              return list(ctx);
            case 'owner':
              return owner(ctx, rest, 'owner');
            case 'deputy':
              return owner(ctx, rest, 'deputy');
            case 'add':
              return add(deps, ctx, rest);
            case 'move':
              return move(ctx, rest);
            case 'channel':
              return channel(ctx, rest);
            case 'delay':
              return delay(ctx, rest);
            case 'help':
              return { private: noticeCard('journey', para(USAGE)) };
            case 'show':
              return rest ? show(deps, ctx, rest) : list(ctx);
            default:
              return show(deps, ctx, args.trim());
          }
        },
      },
    ],
    actions: [
      defineAction({
        action: JOURNEY_ACTIONS.show,
        schema: journeyPayload,
        handle: (ctx, payload) => show(deps, ctx, '', { journeyId: payload.journeyId }),
      }),
      defineAction({
        action: JOURNEY_ACTIONS.add,
        schema: addFormPayload,
        async handle(ctx, _payload, values) {
          const parsed = addFormValues.safeParse({ ...values, parent: values.parent || undefined, description: values.description || undefined });
          if (!parsed.success) throw new InvalidInput(`${describeIssue(parsed.error)}. Nothing was changed.`);
          return added(deps, ctx, parsed.data);
        },
      }),
    ],
  };
}

