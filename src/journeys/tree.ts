// The journey tree in memory: parents, children, inherited owners, and the rules a change must keep
// (no cycles; a lifecycle is a root; a child is never a higher level than its parent). Pure logic,
// so the service, the CSV importer and the tests share one definition.
import type { JourneyLevel } from './tables.js';

export interface TreeJourney {
  id: string;
  key: string;
  name: string;
  level: JourneyLevel;
  parentId: string | null;
  ownerPersonId: string | null;
  deputyPersonId: string | null;
}

export interface EffectiveOwner {
  personId: string;
  /** The journey that names this owner: the journey itself, or the nearest ancestor that does. */
  definedOn: TreeJourney;
  inherited: boolean;
}

const LEVEL_RANK: Record<JourneyLevel, number> = { lifecycle: 0, journey: 1, task: 2 };

export const LEVELS: readonly JourneyLevel[] = ['lifecycle', 'journey', 'task'];

/** Why `child` may not sit under `parent` (undefined when it may). */
export function levelProblem(childLevel: JourneyLevel, parentLevel: JourneyLevel | null): string | undefined {
  if (parentLevel === null) return undefined;
  if (childLevel === 'lifecycle') return 'a lifecycle is the top of a tree and has no parent';
  if (LEVEL_RANK[childLevel] < LEVEL_RANK[parentLevel]) return `a ${childLevel} cannot sit under a ${parentLevel}`;
  return undefined;
}

export class JourneyTree {
  private readonly byId = new Map<string, TreeJourney>();
  private readonly childrenOf = new Map<string | null, TreeJourney[]>();

  constructor(journeys: Iterable<TreeJourney>) {
    for (const journey of journeys) this.byId.set(journey.id, journey);
    for (const journey of this.byId.values()) {
      const siblings = this.childrenOf.get(journey.parentId) ?? [];
      siblings.push(journey);
      this.childrenOf.set(journey.parentId, siblings);
    }
    for (const siblings of this.childrenOf.values()) siblings.sort(byLevelThenName);
  }

  get size(): number {
    return this.byId.size;
  }

  all(): TreeJourney[] {
    return [...this.byId.values()];
  }

  get(id: string): TreeJourney | undefined {
    return this.byId.get(id);
  }

  byKey(key: string): TreeJourney | undefined {
    for (const journey of this.byId.values()) if (journey.key === key) return journey;
    return undefined;
  }

  parent(id: string): TreeJourney | undefined {
    const parentId = this.byId.get(id)?.parentId;
    return parentId ? this.byId.get(parentId) : undefined;
  }

  children(id: string): TreeJourney[] {
    return this.childrenOf.get(id) ?? [];
  }

  roots(): TreeJourney[] {
    // A journey whose parent is not loaded counts as a root too, so nothing is ever hidden.
    return this.all()
      .filter((j) => j.parentId === null || !this.byId.has(j.parentId))
      .sort(byLevelThenName);
  }

  /** Parent first, up to the root. Stops on a cycle (which the database refuses anyway). */
  ancestors(id: string): TreeJourney[] {
    const chain: TreeJourney[] = [];
    const seen = new Set<string>([id]);
    let current = this.parent(id);
    while (current && !seen.has(current.id)) {
      chain.push(current);
      seen.add(current.id);
      current = current.parentId ? this.byId.get(current.parentId) : undefined;
    }
    return chain;
  }

  /** The journey and everything under it. */
  subtree(id: string): TreeJourney[] {
    const out: TreeJourney[] = [];
    const visit = (journeyId: string) => {
      const journey = this.byId.get(journeyId);
      if (!journey || out.includes(journey)) return;
      out.push(journey);
      for (const child of this.children(journeyId)) visit(child.id);
    };
    visit(id);
    return out;
  }

  /** Owners are inherited down the tree unless a journey names its own. */
  effectiveOwner(id: string): EffectiveOwner | undefined {
    const journey = this.byId.get(id);
    if (!journey) return undefined;
    for (const candidate of [journey, ...this.ancestors(id)]) {
      if (candidate.ownerPersonId) return { personId: candidate.ownerPersonId, definedOn: candidate, inherited: candidate.id !== id };
    }
    return undefined;
  }

  /** True when putting `id` under `newParentId` would make it its own ancestor. */
  wouldCycle(id: string, newParentId: string | null): boolean {
    if (newParentId === null) return false;
    if (newParentId === id) return true;
    return this.ancestors(newParentId).some((j) => j.id === id);
  }

  /** Depth-first, each journey with its depth: the order `journey list` prints. */
  walk(): { journey: TreeJourney; depth: number }[] {
    const out: { journey: TreeJourney; depth: number }[] = [];
    const seen = new Set<string>();
    const visit = (journey: TreeJourney, depth: number) => {
      if (seen.has(journey.id)) return;
      seen.add(journey.id);
      out.push({ journey, depth });
      for (const child of this.children(journey.id)) visit(child, depth + 1);
    };
    for (const root of this.roots()) visit(root, 0);
    return out;
  }
}

function byLevelThenName(a: TreeJourney, b: TreeJourney): number {
  return LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || a.name.localeCompare(b.name);
}
