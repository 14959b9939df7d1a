// `steward role …` and `steward org …`: who holds which role, and which Slack workspaces and Teams
// tenants belong to which organisation.
import { Option, type Command } from 'commander';
import { roleChangeMessage, ROLE_LABELS } from '../chat/actor.js';
import { CliError, orgOption, creating, resolveOrg, type CliContext } from '../cli-context.js';
import type { Platform, Role } from '../db/foundation-tables.js';
import * as orgsRepo from './repo.js';
import type { Db } from '../db/database.js';
import { grantRole, personForEmail, personForTeamsUser, revokeRole } from './service.js';

const ROLE_CHOICES: Record<string, Role> = { admin: 'admin', steward: 'glossary_steward', glossary_steward: 'glossary_steward', board: 'board' };

function roleOption(): Option {
  return new Option('--role <role>', 'admin, steward (glossary steward) or board').choices(Object.keys(ROLE_CHOICES)).makeOptionMandatory();
}

function roleNamed(choice: string): Role {
  const role = ROLE_CHOICES[choice];
  if (!role) throw new CliError(`Unknown role ${choice}`);
  return role;
}

function registerRoleCommands(program: Command, cli: CliContext): void {
  const { out, withDatabase } = cli;
  const role = program.command('role').description('grant, revoke and list roles');
  role
    .command('grant')
    .description('grant a role to the person with this e-mail, or with this Teams user id (recorded even before they first use Steward)')
    .option('--email <email>', 'the person\'s e-mail; with --teams-user, links that Teams user to this person')
    .option('--teams-user <id>', 'a Teams user\'s id (AAD object id), e.g. the Agents Playground\'s user')
    .option('--tenant <id>', 'with --teams-user: the Teams tenant (default: the organisation\'s only one)')
    .addOption(roleOption())
    .addOption(orgOption())
    .action(async (opts: GranteeOptions & { role: string; org?: string }) => {
      if (!opts.email && !opts.teamsUser) throw new CliError('Say who: --email <email> or --teams-user <id> (or both, to link that Teams user to that person).');
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org, creating(cli));
        const roleName = roleNamed(opts.role);
        const { personId, who } = await grantee(handle.db, orgId, opts);
        const changed = await grantRole(handle.db, personId, { orgId, role: roleName, byLabel: 'cli' });
        out(roleChangeMessage(who, roleName, 'grant', changed));
      });
    });
  role
    .command('revoke')
    .description('revoke a role')
    .requiredOption('--email <email>', 'the person\'s e-mail')
    .addOption(roleOption())
    .addOption(orgOption())
    .action(async (opts: { email: string; role: string; org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        const roleName = roleNamed(opts.role);
        const person = await orgsRepo.findPersonByEmail(handle.db, orgId, opts.email);
        if (!person) throw new CliError(`Nobody with e-mail ${opts.email} in this organisation`);
        const changed = await revokeRole(handle.db, person.id, { orgId, role: roleName, byLabel: 'cli' }).catch((error: unknown) => {
          throw new CliError(error instanceof Error ? error.message : String(error));
        });
        out(roleChangeMessage(opts.email, roleName, 'revoke', changed));
      });
    });
  role
    .command('list')
    .description('everyone with a role')
    .addOption(orgOption())
    .action(async (opts: { org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org);
        for (const r of ['admin', 'glossary_steward', 'board'] as const) {
          const people = await orgsRepo.peopleWithRole(handle.db, orgId, r);
          out(`${ROLE_LABELS[r]}s: ${people.map((p) => `${p.display_name}${p.email ? ` <${p.email}>` : ''}`).join(', ') || 'nobody'}`);
        }
      });
    });
}

function registerOrgCommands(program: Command, cli: CliContext): void {
  const { out, withDatabase } = cli;
  const org = program.command('org').description('organisations and their Slack workspaces / Teams tenants');
  org
    .command('list')
    .description('list organisations and their installations')
    .action(async () => {
      await withDatabase(async (handle) => {
        const orgs = await orgsRepo.listOrganisations(handle.db);
        if (orgs.length === 0) out('No organisations yet.');
        for (const o of orgs) {
          const installations = await orgsRepo.installationsOf(handle.db, o.id);
          out(`${o.name} (${o.id})${installations.map((i) => `\n  ${i.platform} ${i.external_id}${i.name ? ` ${i.name}` : ''}`).join('')}`);
        }
      });
    });
  org
    .command('link-installation')
    .description('link a Slack workspace or Teams tenant to an organisation (e.g. a second workspace)')
    .addOption(new Option('--platform <platform>', 'slack or teams').choices(['slack', 'teams']).makeOptionMandatory())
    .requiredOption('--id <id>', 'Slack team id (T…) or Teams tenant id')
    .option('--name <name>', 'a label for it')
    .addOption(orgOption())
    .action(async (opts: { platform: Platform; id: string; name?: string; org?: string }) => {
      await withDatabase(async (handle) => {
        const orgId = await resolveOrg(handle, opts.org, creating(cli));
        await orgsRepo.linkInstallation(handle.db, orgId, opts.platform, opts.id, opts.name);
        out(`${opts.platform} ${opts.id} now belongs to organisation ${orgId}.`);
      });
    });
}

/** `steward role grant|revoke|list` and `steward org list|link-installation`. */
export function registerOrgsCommands(program: Command, cli: CliContext): void {
  registerRoleCommands(program, cli);
  registerOrgCommands(program, cli);
}

interface GranteeOptions {
  email?: string;
  teamsUser?: string;
  tenant?: string;
}

/** The person `role grant` names: by e-mail, by Teams id, or both (the Teams user joins that person). */
async function grantee(db: Db, orgId: string, opts: GranteeOptions): Promise<{ personId: string; who: string }> {
  if (opts.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(opts.email)) throw new CliError(`“${opts.email}” is not an e-mail address`);
  if (!opts.teamsUser) return { personId: await personForEmail(db, orgId, opts.email ?? ''), who: opts.email ?? '' };
  const tenant = opts.tenant ?? (await onlyTeamsTenant(db, orgId));
  const personId = await personForTeamsUser(db, orgId, tenant, opts.teamsUser, { email: opts.email });
  return { personId, who: opts.email ?? `Teams user ${opts.teamsUser}` };
}

/** The organisation's only Teams tenant, for `--teams-user` without `--tenant`. */
async function onlyTeamsTenant(db: Db, orgId: string): Promise<string> {
  const tenants = await orgsRepo.installationsOf(db, orgId, 'teams');
  if (tenants.length === 1 && tenants[0]) return tenants[0].external_id;
  throw new CliError(
    tenants.length === 0
      ? 'This organisation has no Teams tenant yet: say which with --tenant (the Agents Playground\'s is 00000000-0000-0000-0000-0000000000001).'
      : `This organisation has ${tenants.length} Teams tenants; say which with --tenant (${tenants.map((t) => t.external_id).join(', ')}).`,
  );
}
