/**
 * Builds the Microsoft Teams app package.
 *
 *   npm run manifest:teams          (= tsx manifest/teams/build.ts)
 *
 * Environment:
 *   MICROSOFT_APP_ID  Bot Framework / Entra app id (GUID). Unset: all-zero GUID + warning.
 *   PUBLIC_URL        Public base URL of Steward; its host name fills validDomains.
 *                     Unset: localhost.
 *
 * Steps: substitute the ${...} placeholders in manifest.json, validate the result
 * OFFLINE against the vendored Teams v1.19 JSON schema (schema/v1.19/, draft-04,
 * checked with ajv-draft-04 + ajv-formats), check the icon sizes, and write
 * build/steward-teams.zip with manifest.json, color.png and outline.png at its root.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import AjvDraft04Module from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import yazl from 'yazl';
import { readPngHeader } from './png.js';

// ajv-draft-04 and ajv-formats are CommonJS with `exports.default`; under NodeNext the
// default import is the module object, whose `.default` is the class/plugin itself.
const AjvDraft04 = AjvDraft04Module.default;
const addFormats = addFormatsModule.default;

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const TEAMS_DIR = HERE;
export const MANIFEST_TEMPLATE_PATH = join(HERE, 'manifest.json');
export const SCHEMA_PATH = join(HERE, 'schema', 'v1.19', 'MicrosoftTeams.schema.json');
export const DEFAULT_OUT_DIR = join(HERE, 'build');
export const PACKAGE_FILE_NAME = 'steward-teams.zip';
export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** Expected icon files and pixel sizes (Teams: colour 192x192, outline 32x32). */
export const ICONS = [
  { key: 'color', file: 'color.png', size: 192, needsAlpha: false },
  { key: 'outline', file: 'outline.png', size: 32, needsAlpha: true },
] as const;

/** Fixed timestamp for zip entries so the same inputs give a byte-identical package. */
const ZIP_MTIME = new Date('2025-01-01T00:00:00Z');

export interface BuildTeamsOptions {
  /** Microsoft App ID (GUID). Undefined/empty: all-zero GUID with a warning. */
  appId?: string | undefined;
  /** Public base URL; its host name goes into validDomains. Undefined/empty: localhost. */
  publicUrl?: string | undefined;
  /** Where to write steward-teams.zip. Default: manifest/teams/build. */
  outDir?: string | undefined;
}

export interface ManifestIssue {
  /** JSON pointer into the manifest (e.g. "/bots/0/botId"), or a file name for icon issues. */
  path: string;
  message: string;
}

export type BuildTeamsResult =
  | { ok: true; zipPath: string; manifest: Record<string, unknown>; warnings: string[] }
  | { ok: false; issues: ManifestIssue[]; manifest: unknown; warnings: string[] };

let cachedValidator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (cachedValidator) return cachedValidator;
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The Teams schema is draft-04 with a few later keywords (const); same settings
  // as Microsoft's own @microsoft/app-manifest validator.
  const ajv = new AjvDraft04({ allErrors: true, strictTypes: false, strict: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  cachedValidator = ajv.compile(schema);
  return cachedValidator;
}

function describeSchemaError(e: ErrorObject): ManifestIssue {
  const path = e.instancePath === '' ? '/' : e.instancePath;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties' && 'additionalProperty' in e.params) {
    message += `: "${String(e.params.additionalProperty)}"`;
  } else if (e.keyword === 'enum' && 'allowedValues' in e.params) {
    message += `: ${JSON.stringify(e.params.allowedValues)}`;
  }
  return { path, message };
}

/** Validate a (substituted) manifest object against the Teams v1.19 schema. */
export function validateTeamsManifest(manifest: unknown): ManifestIssue[] {
  const validate = schemaValidator();
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(describeSchemaError);
}

function escapeForJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Host name (no scheme, no port) for validDomains. */
export function publicUrlHost(publicUrl: string | undefined): string {
  if (publicUrl === undefined || publicUrl.trim() === '') return 'localhost';
  let url: URL;
  try {
    url = new URL(publicUrl.trim());
  } catch {
    throw new Error(`PUBLIC_URL is not a valid URL: "${publicUrl}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  }
  return url.hostname;
}

/** Read manifest.json and substitute placeholders; returns the raw object (unvalidated). */
export function renderTeamsManifest(opts: BuildTeamsOptions = {}): { manifest: unknown; warnings: string[] } {
  const warnings: string[] = [];
  let appId = opts.appId?.trim() ?? '';
  if (appId === '') {
    warnings.push(`MICROSOFT_APP_ID is not set: using ${ZERO_GUID}. The package will not work in Teams until you set it.`);
    appId = ZERO_GUID;
  }
  const host = publicUrlHost(opts.publicUrl);
  if (opts.publicUrl === undefined || opts.publicUrl.trim() === '') {
    warnings.push('PUBLIC_URL is not set: validDomains will contain "localhost".');
  }
  const template = readFileSync(MANIFEST_TEMPLATE_PATH, 'utf8');
  const text = template
    .replaceAll('${MICROSOFT_APP_ID}', escapeForJsonString(appId))
    .replaceAll('${PUBLIC_URL_HOST}', escapeForJsonString(host));
  return { manifest: JSON.parse(text) as unknown, warnings };
}

function findLeftoverPlaceholders(value: unknown, path = ''): ManifestIssue[] {
  if (typeof value === 'string') {
    const m = /\$\{[A-Za-z0-9_]+\}/.exec(value);
    return m ? [{ path: path || '/', message: `unsubstituted placeholder ${m[0]}` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findLeftoverPlaceholders(v, `${path}/${i}`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      findLeftoverPlaceholders(v, `${path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`),
    );
  }
  return [];
}

function checkIcons(manifest: Record<string, unknown>): { issues: ManifestIssue[]; files: Map<string, Buffer> } {
  const issues: ManifestIssue[] = [];
  const files = new Map<string, Buffer>();
  const icons = (manifest.icons ?? {}) as Record<string, unknown>;
  for (const icon of ICONS) {
    const declared = icons[icon.key];
    if (declared !== icon.file) {
      issues.push({ path: `/icons/${icon.key}`, message: `must be "${icon.file}" (got ${JSON.stringify(declared)})` });
      continue;
    }
    let png: Buffer;
    try {
      png = readFileSync(join(TEAMS_DIR, icon.file));
    } catch {
      issues.push({ path: icon.file, message: `file not found in ${TEAMS_DIR} (run: npx tsx manifest/teams/icons.ts)` });
      continue;
    }
    try {
      const header = readPngHeader(png);
      if (header.width !== icon.size || header.height !== icon.size) {
        issues.push({
          path: icon.file,
          message: `must be ${icon.size}x${icon.size} pixels, is ${header.width}x${header.height}`,
        });
      }
      if (icon.needsAlpha && !header.hasAlpha) {
        issues.push({ path: icon.file, message: 'must have a transparent background (no alpha channel found)' });
      }
    } catch (err) {
      issues.push({ path: icon.file, message: (err as Error).message });
    }
    files.set(icon.file, png);
  }
  return { issues, files };
}

function zipToBuffer(entries: ReadonlyArray<readonly [name: string, data: Buffer]>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, data] of entries) zip.addBuffer(data, name, { mtime: ZIP_MTIME, mode: 0o100644 });
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.end();
  });
}

/**
 * Render, validate and package the Teams app. Never throws for validation
 * problems (they come back as `issues`); throws for a malformed PUBLIC_URL or an
 * unreadable template/schema.
 */
export async function buildTeamsPackage(opts: BuildTeamsOptions = {}): Promise<BuildTeamsResult> {
  const { manifest, warnings } = renderTeamsManifest(opts);
  const issues = [...findLeftoverPlaceholders(manifest), ...validateTeamsManifest(manifest)];
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return { ok: false, issues: [{ path: '/', message: 'manifest must be a JSON object' }], manifest, warnings };
  }
  const record = manifest as Record<string, unknown>;
  const icons = checkIcons(record);
  issues.push(...icons.issues);
  if (issues.length > 0) return { ok: false, issues, manifest, warnings };

  const manifestBytes = Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
  const entries: Array<readonly [string, Buffer]> = [['manifest.json', manifestBytes]];
  for (const icon of ICONS) {
    const data = icons.files.get(icon.file);
    if (data) entries.push([icon.file, data]);
  }
  const outDir = opts.outDir ?? DEFAULT_OUT_DIR;
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, PACKAGE_FILE_NAME);
  writeFileSync(zipPath, await zipToBuffer(entries));
  return { ok: true, zipPath, manifest: record, warnings };
}

async function main(): Promise<number> {
  let result: BuildTeamsResult;
  try {
    result = await buildTeamsPackage({ appId: process.env.MICROSOFT_APP_ID, publicUrl: process.env.PUBLIC_URL });
  } catch (err) {
    console.error(`manifest:teams: ${(err as Error).message}`);
    return 1;
  }
  for (const w of result.warnings) console.warn(`warning: ${w}`);
  if (!result.ok) {
    console.error(`manifest:teams: Teams manifest is invalid (${result.issues.length} problem(s)):`);
    for (const issue of result.issues) console.error(`  ${issue.path}: ${issue.message}`);
    return 1;
  }
  console.log(`manifest:teams: manifest valid (Teams schema v1.19); wrote ${result.zipPath}`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
