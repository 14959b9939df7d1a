// The digest card: empty sections left out, a quiet week said in one line, long sections cut with
// "and N more", and the rendered message within Slack's and Teams' limits.
import { describe, expect, it } from 'vitest';
import { text } from '../../src/chat/card.js';
import { buildDigestCard, MAX_ITEMS_PER_SECTION } from '../../src/governance/digest/card.js';
import { renderBlocks } from '../../src/slack/blocks.js';
import { renderAdaptiveCard } from '../../src/teams/adaptive-card.js';

const heading = { orgName: 'Acme', period: 'week to Mon 29 Mar 2027, 09:00 (Europe/Amsterdam)' };

describe('digest card', () => {
  it('says a week with nothing to report in one line', () => {
    const card = buildDigestCard([{ title: 'Journeys without an owner', items: [] }], heading);
    expect(card.blocks).toHaveLength(1);
    expect(JSON.stringify(card.blocks)).toContain('Nothing to report this week');
    expect(card.summary).toContain('nothing to report');
  });

  it('leaves out empty sections and shows the others with their counts', () => {
    const card = buildDigestCard(
      [
        { title: 'Decisions made', items: [] },
        { title: 'Journeys without an owner', items: [[text('Moving house')], [text('Receive welcome gift')]] },
      ],
      heading,
    );
    const json = JSON.stringify(card.blocks);
    expect(json).not.toContain('Decisions made');
    expect(json).toContain('Journeys without an owner (2)');
    expect(json).toContain('Moving house');
  });

  it('cuts an overflowing section with "and N more" and the command that lists everything', () => {
    const items = Array.from({ length: 250 }, (_, i) => [text(`Journey ${i} ${'x'.repeat(300)}`)]);
    const card = buildDigestCard(
      Array.from({ length: 8 }, (_, s) => ({ title: `Section ${s}`, items, moreCommand: 'journey list' })),
      heading,
    );
    const json = JSON.stringify(card.blocks);
    expect(json).toContain(`and ${250 - MAX_ITEMS_PER_SECTION} more`);
    expect(json).toContain('journey list shows them all');
    const slack = renderBlocks(card);
    expect(slack.length).toBeLessThanOrEqual(50);
    expect(Buffer.byteLength(JSON.stringify(renderAdaptiveCard(card)))).toBeLessThan(28_000);
  });
});
