// The one way a capability adds a section to another capability's card: the card's owner declares
// a context type and takes a list of sections when it is created (src/app.ts passes them in), so
// neither capability imports the other and nothing is registered in a global.
import type { Block } from './card.js';

/** Blocks to add to a card; [] to show nothing. */
export type CardSection<Context> = (context: Context) => Promise<Block[]>;

/** Every section's blocks, in order; a failing section is reported and left out, never breaks the card. */
export async function renderSections<Context>(
  sections: readonly CardSection<Context>[],
  context: Context,
  failed: (error: unknown) => void,
): Promise<Block[]> {
  const results = await Promise.allSettled(sections.map((section) => section(context)));
  const blocks: Block[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') blocks.push(...result.value);
    else failed(result.reason);
  }
  return blocks;
}
