// What a submitted Adaptive Card carries: its inputs' values by id, as strings.
import { z } from 'zod';

const values = z.record(z.string(), z.unknown());

export function stringValues(value: unknown): Record<string, string> {
  const parsed = values.safeParse(value);
  if (!parsed.success) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(parsed.data)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out[key] = String(item);
  }
  return out;
}
