// What every CSV Steward reads or writes shares: text is cleaned of characters that make it lie or
// act (src/chat/text-hygiene.ts) on the way in and on the way out, and a cell a spreadsheet would
// evaluate (=, +, -, @, tab, CR first) gets a leading quote on export, which import takes off again.
import { withoutUnsafeCharacters } from '../chat/text-hygiene.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as exported: clean, and never run as a formula. */
export function spreadsheetSafe(value: string): string {
  const clean = withoutUnsafeCharacters(value);
  return FORMULA_START.test(clean) ? `'${clean}` : clean;
}

/** A cell as imported: an exported formula-like cell loses its quote again. */
export function fromSpreadsheet(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** A whole CSV file as it arrives, cleaned before it is parsed. */
export function cleanCsvText(text: string): string {
  return withoutUnsafeCharacters(text);
}
