// Reading the glossary's past: a term's versions and the terms changed most recently.
import type { Actor } from '../chat/actor.js';
import { NotFound } from '../chat/errors.js';
import type { RecentView, VersionView } from './cards.js';
import { isEditor, type GlossaryDeps } from './editing.js';
import * as terms from './repo/terms.js';

const HISTORY_SHOWN = 10;

/** The latest versions of a term, and whether the asker may roll it back. */
export async function history(deps: GlossaryDeps, actor: Actor, termId: string) {
  const { db } = deps;
  const term = await terms.findTerm(db, actor.orgId, termId);
  if (!term) throw new NotFound('That term no longer exists in this organisation.');
  const [rows, total, timeZone] = await Promise.all([terms.versionsOf(db, termId, HISTORY_SHOWN), terms.countVersions(db, termId), terms.orgTimeZone(db, actor.orgId)]);
  const versions: VersionView[] = rows.map((r) => ({
    version: r.version,
    name: r.name,
    definition: r.definition,
    status: r.status,
    change: r.change,
    by: r.changed_by_name ?? r.changed_by_label ?? 'Steward',
    proposedBy: r.proposed_by_name ?? undefined,
    rolledBackTo: r.rolled_back_to,
    createdAt: r.created_at,
  }));
  const canRollBack = isEditor(actor, term.steward_person_id);
  return { term: { id: term.id, name: term.name, version: term.version, stewardPersonId: term.steward_person_id }, versions, total, timeZone, canRollBack };
}

export async function recent(deps: GlossaryDeps, actor: Pick<Actor, 'orgId'>, count: number): Promise<{ rows: RecentView[]; timeZone: string }> {
  const [rows, timeZone] = await Promise.all([terms.recentlyChanged(deps.db, actor.orgId, count), terms.orgTimeZone(deps.db, actor.orgId)]);
  return {
    rows: rows.map((r) => ({ termId: r.id, name: r.name, version: r.version, change: r.change, by: r.changed_by_name ?? r.changed_by_label ?? 'Steward', at: r.updated_at })),
    timeZone,
  };
}
