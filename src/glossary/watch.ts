// Glossary adherence in watched channels. An admin says `glossary watch here`; from then on a message
// there that uses a retired term (its exact name or an alias, never a guess) gets its author a quiet
// nudge with the approved term: a Slack ephemeral message, on Teams a message in their personal chat
// (Teams has nothing quieter). At most one nudge per person, term and day; "Not this meaning" stops it
// for good. The message itself is never stored, only a weekly count per channel and term.
//
// Every message of a watched channel passes through here, so the common case costs no query: which
// channels are watched and each organisation's retired phrases are kept in memory for half a minute
// (a change made in this process is seen at once; one made elsewhere within that half minute).
import { requireRole, type Actor } from '../chat/actor.js';
import type { Listener } from '../chat/capability.js';
import { InvalidInput, NotFound } from '../chat/errors.js';
import type { ChatRequest, Reply } from '../chat/request.js';
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import type { Services } from '../services.js';
import { nudgeCard } from './in-text-cards.js';
import { phrasesOf, pickMatches, TEXT_READ } from './in-text.js';
import { normalise } from './matching/normalise.js';
import { termSummaries } from './repo/in-text.js';
import * as repo from './repo/watch.js';
import { findTerm } from './repo/terms.js';

const REMEMBER_MS = 30_000;

interface Retired {
  termId: string;
  name: string;
  phrase: string;
  replacement: { termId: string; name: string; definition: string };
}

/** The day (UTC) a nudge counts on, and the Monday its week starts on. */
export function dayAndWeek(at: Date): { day: string; week: string; lastWeek: string } {
  const day = at.toISOString().slice(0, 10);
  const monday = new Date(`${day}T00:00:00Z`);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const before = new Date(monday.getTime() - 7 * 86_400_000);
  return { day, week: monday.toISOString().slice(0, 10), lastWeek: before.toISOString().slice(0, 10) };
}

export class GlossaryWatch {
  private readonly watched = new Map<string, { orgId: string | undefined; at: number }>();
  private readonly retired = new Map<string, { phrases: Map<string, Retired>; at: number }>();

  /** Forgets what is remembered: after a glossary change or a watch made in this process. */
  forget(): void {
    this.watched.clear();
    this.retired.clear();
  }

  /** `glossary watch here` / `glossary unwatch here`: admins, in a channel. */
  async setWatched(db: Db, actor: Actor, request: ChatRequest, on: boolean): Promise<string> {
    requireRole(actor, 'admin', on ? 'watch a channel for retired glossary terms' : 'stop watching a channel');
    if (request.conversation.kind === 'personal') throw new InvalidInput('Say it in the channel to watch: a personal chat has nobody to nudge.');
    const { platform } = request;
    const conversationId = request.conversation.id;
    this.watched.delete(`${platform}:${conversationId}`);
    if (!on) {
      const was = await repo.unwatchChannel(db, actor.orgId, platform, conversationId);
      return was ? 'Steward no longer watches this channel for retired glossary terms. Its counts so far stay in the digest history.' : 'Steward was not watching this channel. Nothing was changed.';
    }
    const added = await repo.watchChannel(db, { platform, conversationId, orgId: actor.orgId, name: request.conversation.name ?? null, watchedBy: actor.personId });
    if (!added) return 'Steward already watches this channel. Nothing was changed.';
    const tip = platform === 'slack' ? 'Invite Steward to the channel if it is not a member yet, so it sees the messages.' : 'Teams shows Steward the channel’s messages once its app is installed in the team with the permission to read channel messages.';
    return `Steward now watches this channel: whoever writes a retired glossary term gets a private tip with the approved one (at most once a day per term), and the weekly digest counts the retired terms used here. Messages are not stored. ${tip}`;
  }

  /** "Not this meaning": the person is never nudged about this term again. */
  async makeException(db: Db, actor: Actor, termId: string): Promise<string> {
    const term = await findTerm(db, actor.orgId, termId);
    if (!term) throw new NotFound('That term no longer exists in this organisation. Nothing was changed.');
    await repo.addException(db, actor.personId, termId);
    return `Understood: Steward will not point out “${term.name}” to you again.`;
  }

  listener(): Listener {
    return { name: 'glossary.watch', hear: (request, services, actor) => this.hear(request, services, actor) };
  }

  private async hear(request: ChatRequest, services: Services, actorOf: () => Promise<Actor>): Promise<Reply | undefined> {
    if (request.input.kind !== 'text') return undefined;
    const { db } = services;
    const orgId = await this.watchingOrg(db, request.platform, request.conversation.id);
    if (!orgId) return undefined;
    const retired = await this.retiredOf(db, orgId);
    if (retired.size === 0) return undefined;
    const phrases = phrasesOf(normalise(request.input.text.slice(0, TEXT_READ)).split(' ').filter(Boolean));
    const found: (Retired & { phrase: string })[] = [];
    for (const phrase of phrases.keys()) {
      const hit = retired.get(phrase);
      if (hit) found.push(hit);
    }
    if (found.length === 0) return undefined;
    const hits = pickMatches(found, phrases).map((p) => p.match);
    const actor = await actorOf();
    if (actor.orgId !== orgId) return undefined;
    const { day, week } = dayAndWeek(services.clock.now());
    await repo.countUses(db, { orgId, platform: request.platform, conversationId: request.conversation.id, termIds: hits.map((h) => h.termId), week });
    for (const hit of hits) {
      if (!(await repo.claimNudge(db, actor.personId, hit.termId, day))) continue;
      const card = nudgeCard({ ...hit, written: hit.phrase });
      return this.whisper(services, request.platform, actor, card, `glossary-nudge:${actor.personId}:${hit.termId}:${day}`);
    }
    return undefined;
  }

  /** Slack shows the author alone an ephemeral message; on Teams it goes to their personal chat through the outbox. */
  private async whisper(services: Services, platform: Platform, actor: Actor, card: ReturnType<typeof nudgeCard>, dedupeKey: string): Promise<Reply | undefined> {
    if (platform === 'slack') return { private: card };
    const id = await enqueueMessage(services.db, { orgId: actor.orgId, dedupeKey, target: { kind: 'person', personId: actor.personId, platform }, card });
    if (id) services.kickDelivery([id]);
    return undefined;
  }

  private async watchingOrg(db: Db, platform: Platform, conversationId: string): Promise<string | undefined> {
    const key = `${platform}:${conversationId}`;
    const known = this.watched.get(key);
    if (known && Date.now() - known.at < REMEMBER_MS) return known.orgId;
    const orgId = await repo.watchingOrg(db, platform, conversationId);
    if (this.watched.size > 10_000) this.watched.clear();
    this.watched.set(key, { orgId, at: Date.now() });
    return orgId;
  }

  private async retiredOf(db: Db, orgId: string): Promise<Map<string, Retired>> {
    const known = this.retired.get(orgId);
    if (known && Date.now() - known.at < REMEMBER_MS) return known.phrases;
    const rows = await repo.retiredPhrases(db, orgId);
    const replacements = new Map((await termSummaries(db, orgId, [...new Set(rows.map((r) => r.replaced_by_id))])).map((t) => [t.id, t]));
    const phrases = new Map<string, Retired>();
    for (const row of rows) {
      const replacement = replacements.get(row.replaced_by_id);
      // A replacement that is itself retired is no better advice: nudges name approved terms only.
      if (!replacement || replacement.status !== 'approved') continue;
      phrases.set(row.phrase, { termId: row.term_id, name: row.name, phrase: row.phrase, replacement: { termId: replacement.id, name: replacement.name, definition: replacement.definition } });
    }
    this.retired.set(orgId, { phrases, at: Date.now() });
    return phrases;
  }
}
