/**
 * Renders the Slack app manifest with the public URL filled in.
 *
 *   PUBLIC_URL=https://steward.example.com npx tsx manifest/slack/render.ts [out]
 *
 * Reads manifest.yml as text, replaces every ${PUBLIC_URL} with the PUBLIC_URL
 * environment variable (trailing slash removed), checks the result still parses
 * as YAML, and prints it to stdout or writes it to [out].
 *
 * PUBLIC_URL must be an https:// URL; http://localhost (or 127.0.0.1 / [::1]) is
 * accepted with a warning, for use behind a local tunnel or in tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

export const SLACK_MANIFEST_PATH = fileURLToPath(new URL('./manifest.yml', import.meta.url));
export const PLACEHOLDER = '${PUBLIC_URL}';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface CheckedPublicUrl {
  /** Base URL without a trailing slash, e.g. https://steward.example.com */
  base: string;
  warnings: string[];
}

/** Validate PUBLIC_URL; throws an Error naming PUBLIC_URL when it is unusable. */
export function checkPublicUrl(value: string | undefined): CheckedPublicUrl {
  if (value === undefined || value.trim() === '') {
    throw new Error('PUBLIC_URL is not set. Set it to the https:// base URL Slack can reach, e.g. PUBLIC_URL=https://steward.example.com');
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`PUBLIC_URL is not a valid URL: "${value}". Expected e.g. https://steward.example.com`);
  }
  const warnings: string[] = [];
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) {
    warnings.push(`PUBLIC_URL is ${url.origin}: Slack cannot reach a localhost URL; use this only for local testing.`);
  } else if (url.protocol !== 'https:') {
    throw new Error(`PUBLIC_URL must be an https:// URL (http:// is only accepted for localhost), got "${value}"`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error(`PUBLIC_URL must not contain a query string or fragment, got "${value}"`);
  }
  const base = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  return { base, warnings };
}

/** Substitute ${PUBLIC_URL} in the manifest text. */
export function renderSlackManifest(text: string, publicUrl: string | undefined): { yaml: string; warnings: string[] } {
  const { base, warnings } = checkPublicUrl(publicUrl);
  const yaml = text.replaceAll(PLACEHOLDER, base);
  const leftover = /\$\{[A-Za-z0-9_]+\}/.exec(yaml);
  if (leftover) throw new Error(`manifest.yml still contains the placeholder ${leftover[0]} after rendering`);
  parse(yaml); // throws with line/column if the result is not valid YAML
  return { yaml, warnings };
}

function main(argv: readonly string[]): number {
  const out = argv[0];
  try {
    const { yaml, warnings } = renderSlackManifest(readFileSync(SLACK_MANIFEST_PATH, 'utf8'), process.env.PUBLIC_URL);
    for (const w of warnings) console.warn(`warning: ${w}`);
    if (out === undefined || out === '-') {
      process.stdout.write(yaml);
    } else {
      writeFileSync(out, yaml);
      console.error(`wrote ${out}`);
    }
    return 0;
  } catch (err) {
    console.error(`slack manifest: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
