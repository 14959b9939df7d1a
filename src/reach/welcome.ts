// The few lines a person's first message from Steward starts with, when Steward reached them before
// they ever used it (an owner imported by e-mail gets a ping): what Steward is, what they are
// accountable for in it, and the three commands they will use most.
import { code, context, para, text, type Block } from '../chat/card.js';
import { ROLE_LABELS } from '../chat/actor.js';
import { counted } from '../chat/words.js';
import type { Db } from '../db/database.js';
import * as repo from './repo.js';

/** Names a list without running on: "Onboarding, Moving house and 3 more". */
function listed(names: string[], max = 4): string {
  if (names.length <= max) return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export async function welcomeBlocks(db: Db, personId: string): Promise<Block[]> {
  const a = await repo.accountabilityOf(db, personId);
  const duties: string[] = [];
  if (a.owned.length) duties.push(`owner of ${listed(a.owned)}`);
  if (a.deputyOf.length) duties.push(`deputy owner of ${listed(a.deputyOf)}`);
  if (a.stewardedTerms) duties.push(`steward of ${counted(a.stewardedTerms, 'glossary term')}`);
  for (const role of a.roles) duties.push(role === 'board' ? 'a member of the governance board' : `${/^[aeiou]/.test(ROLE_LABELS[role]) ? 'an' : 'a'} ${ROLE_LABELS[role]}`);
  return [
    para(text(`Welcome to Steward, ${a.name}. ${a.orgName} uses it to keep its customer-experience glossary, journeys and KPIs accountable, here in chat.`)),
    ...(duties.length ? [para(text(`You are ${listed(duties, 6)}.`))] : []),
    context(text('Most used: '), code('journey mine'), text(' (your journeys and pings), '), code('glossary <term>'), text(' (the agreed definition), '), code('help'), text(' (everything else).')),
  ];
}
