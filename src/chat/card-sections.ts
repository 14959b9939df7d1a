// The one way a capability adds a section to another capability's card: the card's owner declares
// a context type and takes a list of sections when it is created (src/app.ts passes them in), so
// neither capability imports the other and nothing is registered in a global.
import type { Block } from './card.js';

/** Blocks to add to a card; [] to show nothing. */
export type CardSection<Context> = (context: Context) => Promise<Block[]>;

/**
 * Every section's blocks, in order. A section that fails, or takes longer than `timeoutMs`, is
 * reported and replaced by what `failed` returns (nothing, or a short note): never the whole card.
 */
export async function renderSections<Context>(
  sections: readonly CardSection<Context>[],
  context: Context,
  failed: (error: unknown, index: number) => Block[] | void,
  options: { timeoutMs?: number } = {},
): Promise<Block[]> {
  const results = await Promise.allSettled(sections.map((section) => withDeadline(section(context), options.timeoutMs)));
  const blocks: Block[] = [];
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') blocks.push(...result.value);
    else blocks.push(...(failed(result.reason, index) ?? []));
  });
  return blocks;
}

async function withDeadline(work: Promise<Block[]>, timeoutMs: number | undefined): Promise<Block[]> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
