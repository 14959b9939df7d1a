// Splitting command text the same way everywhere: the first word, and the rest as it was typed.
export function splitFirstWord(text: string): { first: string; verb: string; rest: string } {
  const trimmed = text.trim();
  const [first = ''] = trimmed.split(/\s+/);
  return { first, verb: first.toLowerCase(), rest: trimmed.slice(first.length).trim() };
}
