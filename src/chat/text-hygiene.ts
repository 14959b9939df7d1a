// Text people type is stored and shown to others: characters that make it lie (bidi overrides that
// reorder what a reader sees) or act on a terminal (ESC, BEL and the other control characters) are
// removed at every edge where text comes in — chat on both platforms, the API, CSV imports — so
// nothing stored carries them. Newline and tab are text; a carriage return becomes a newline.
import { z } from 'zod';

// C0 controls but tab and newline, DEL and the C1 controls, bidi embeddings/overrides (U+202A–U+202E)
// and isolates (U+2066–U+2069).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

export function withoutUnsafeCharacters(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE, '');
}

/** A zod string that arrives clean: the schema for any text a person gives Steward. */
export function cleanText() {
  return z.string().transform(withoutUnsafeCharacters);
}
