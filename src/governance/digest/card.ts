// The weekly digest as one neutral card, built from sections that each capability contributes.
// Long sections are cut with "and N more" and the command that lists them all, so the message stays
// within Slack's and Teams' limits whatever the organisation's size.
import { bold, context, para, text, type Block, type Card, type RichText } from '../../chat/card.js';
import type { Db } from '../../db/database.js';

export interface DigestWindow {
  orgId: string;
  /** The slot this digest stands for, and the start of the week it reports on. */
  to: Date;
  from: Date;
  /** The organisation's IANA time zone: every time in the digest is shown in it (named in the heading). */
  timeZone: string;
}

export interface DigestSection {
  title: string;
  items: RichText[];
  /** The command that shows the whole list, for "and N more". */
  moreCommand?: string;
}

export type DigestSectionSource = (db: Db, window: DigestWindow) => Promise<DigestSection | undefined>;

/** Sections in the order they appear; the list is in digest/sections.ts. */
export const MAX_ITEMS_PER_SECTION = 8;

export function buildDigestCard(sections: DigestSection[], heading: { orgName: string; period: string }): Card {
  const nonEmpty = sections.filter((s) => s.items.length > 0);
  const blocks: Block[] = [];
  if (nonEmpty.length === 0) {
    blocks.push(para('Nothing to report this week: no open votes, no decisions, every KPI on track, every ping acknowledged and every journey owned.'));
  }
  for (const section of nonEmpty) {
    blocks.push(para(bold(`${section.title} (${section.items.length})`)));
    const shown = section.items.slice(0, MAX_ITEMS_PER_SECTION);
    blocks.push({ kind: 'list', items: shown });
    const hidden = section.items.length - shown.length;
    if (hidden > 0) {
      blocks.push(context(`and ${hidden} more`, ...(section.moreCommand ? [text(' — '), text(`${section.moreCommand} shows them all`)] : [])));
    }
  }
  const summary =
    nonEmpty.length === 0
      ? `Governance digest for ${heading.period}: nothing to report.`
      : `Governance digest for ${heading.period}: ${nonEmpty.map((s) => `${s.title.toLowerCase()} ${s.items.length}`).join(', ')}`;
  return { title: `Governance digest — ${heading.orgName}`, subtitle: [text(heading.period)], blocks, summary };
}
