// Stored Teams conversation references (conversations.reference), read back for proactive messages.
import { z } from 'zod';

/** A stored conversation reference, with what the Bot Framework needs filled in. */
export const referenceSchema = z
  .object({
    serviceUrl: z.string(),
    channelId: z.string().default('msteams'),
    conversation: z
      .object({ id: z.string(), isGroup: z.boolean().default(false), conversationType: z.string().default('personal'), name: z.string().default('') })
      .loose(),
  })
  .loose();
