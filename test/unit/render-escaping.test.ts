// Whatever a user typed reaches Slack and Teams as plain text: no broadcast mentions, no user
// mentions, no disguised links, no formatting, no Adaptive Card expressions.
import { describe, expect, it } from 'vitest';
import { context, fields, para, type Card } from '../../src/chat/card.js';
import { escapeMrkdwn, fallbackText, renderBlocks } from '../../src/slack/blocks.js';
import { renderAdaptiveCard } from '../../src/teams/adaptive-card.js';

const hostile = 'Hi <!channel> <!here> <@U123> see <https://evil.example|your bank> @everyone *bold* _it_ ~x~ `c` [a](https://evil.example) ${user.secret} {{x}} &amp;';

const card: Card = {
  title: hostile,
  subtitle: [{ kind: 'text', text: hostile }],
  blocks: [para(hostile), fields(['Definition', hostile]), context(hostile), { kind: 'list', items: [[{ kind: 'text', text: hostile }]] }],
  summary: hostile,
};

describe('Slack rendering of user text', () => {
  const blocks = renderBlocks(card);
  const json = JSON.stringify(blocks);

  it('never contains a live control sequence', () => {
    // In mrkdwn, only an unescaped "<" opens a mention, broadcast or link.
    for (const block of blocks) {
      const mrkdwn = JSON.stringify(block).match(/"type":"mrkdwn","text":"((?:[^"\\]|\\.)*)"/g) ?? [];
      for (const segment of mrkdwn) expect(segment).not.toMatch(/<[!@h]/);
    }
    expect(fallbackText(card)).not.toMatch(/<[!@h]/);
  });

  it('keeps the text readable: rich text runs carry it literally', () => {
    const richText = blocks.find((b) => b.type === 'rich_text');
    expect(JSON.stringify(richText)).toContain('<!channel>');
    expect(JSON.stringify(richText)).not.toContain('"type":"user"');
    expect(JSON.stringify(richText)).not.toContain('"type":"link"');
    expect(json).not.toContain('"type":"broadcast"');
  });

  it('breaks formatting marks in mrkdwn', () => {
    expect(escapeMrkdwn('*bold*')).not.toBe('*bold*');
    expect(escapeMrkdwn('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });

  it('escapes every text as the four replacements do, also when it returns plain text unchanged', () => {
    const full = (value: string) =>
      value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([*_~`])/g, '$1\u200B');
    // Every printable ASCII character alone and inside words, a few others, and plain words.
    const characters = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), 'é', '“', '\u200B', '😀'];
    const texts = [...characters, ...characters.map((c) => `Net ${c}Promoter${c} Score`), 'Net Promoter Score', '12 Mar 2026', ''];
    for (const value of texts) expect(escapeMrkdwn(value)).toBe(full(value));
  });
});

describe('Teams rendering of user text', () => {
  const adaptive = renderAdaptiveCard(card);
  const json = JSON.stringify(adaptive);

  it('puts user text only in TextRuns, which Teams does not parse as markdown', () => {
    expect(json).not.toContain('"type":"TextBlock"');
    expect(json).toContain('"type":"TextRun"');
  });

  it('neutralises Adaptive Card template expressions', () => {
    expect(json).not.toContain('${user.secret}');
    expect(json).toContain('user.secret}');
  });

  it('adds no mention entities and no links for typed text', () => {
    expect(json).not.toContain('Action.OpenUrl');
    expect(json).not.toContain('<at>');
  });
});
