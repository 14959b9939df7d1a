// Splitting command text the same way everywhere: the first word, and the rest as it was typed.
export function splitFirstWord(text: string): { first: string; verb: string; rest: string } {
  const trimmed = text.trim();
  const [first = ''] = trimmed.split(/\s+/);
  return { first, verb: first.toLowerCase(), rest: trimmed.slice(first.length).trim() };
}

/** "1 journey", "3 journeys": a count with its noun, singular or plural, for every card and CLI line. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
