// Finding journeys from what people type, and the tree rules every change must keep (pure logic).
import { describe, expect, it } from 'vitest';
import { clearWinner, fold, matchJourneys } from '../../src/journeys/match.js';
import { JourneyTree, levelProblem, type TreeJourney } from '../../src/journeys/tree.js';

const journeys = [
  { id: '1', key: 'lifecycle', name: 'Customer lifecycle' },
  { id: '2', key: 'onboarding', name: 'Welcome journey' },
  { id: '3', key: 'welcome-gift', name: 'Receive welcome gift' },
  { id: '4', key: 'billing', name: 'Billing and payment' },
  { id: '5', key: 'reception', name: 'Réception d’accueil' },
];

describe('journey matching', () => {
  it('folds case, accents and punctuation', () => {
    expect(fold('  Réception  d’Accueil ')).toBe('reception d accueil');
  });

  it('finds a journey by exact key or by name in any case and without accents', () => {
    expect(matchJourneys(journeys, 'onboarding').exact?.key).toBe('onboarding');
    expect(matchJourneys(journeys, 'WELCOME JOURNEY').exact?.key).toBe('onboarding');
    expect(matchJourneys(journeys, 'reception d accueil').exact?.key).toBe('reception');
  });

  it('tolerates a typo and picks the one clear candidate', () => {
    expect(clearWinner(matchJourneys(journeys, 'onbaording'))?.key).toBe('onboarding');
    expect(clearWinner(matchJourneys(journeys, 'billling'))?.key).toBe('billing');
  });

  it('tolerates word order and partial words', () => {
    expect(clearWinner(matchJourneys(journeys, 'gift welcome'))?.key).toBe('welcome-gift');
  });

  it('offers candidates instead of guessing when a word fits several journeys', () => {
    const result = matchJourneys(journeys, 'welcome');
    expect(clearWinner(result)).toBeUndefined();
    expect(result.candidates.map((c) => c.journey.key)).toEqual(expect.arrayContaining(['onboarding', 'welcome-gift']));
  });

  it('finds nothing for unrelated text', () => {
    expect(matchJourneys(journeys, 'xylophone').candidates).toEqual([]);
  });
});

function j(id: string, level: TreeJourney['level'], parentId: string | null, ownerPersonId: string | null = null): TreeJourney {
  return { id, key: id, name: id, level, parentId, ownerPersonId, deputyPersonId: null };
}

describe('journey tree rules', () => {
  const tree = new JourneyTree([j('life', 'lifecycle', null, 'dana'), j('onb', 'journey', 'life', 'olga'), j('gift', 'task', 'onb'), j('move', 'journey', 'life'), j('addr', 'task', 'move', 'dirk')]);

  it('inherits the nearest ancestor’s owner unless a journey names its own', () => {
    expect(tree.effectiveOwner('gift')).toMatchObject({ personId: 'olga', inherited: true, definedOn: { id: 'onb' } });
    expect(tree.effectiveOwner('move')).toMatchObject({ personId: 'dana', inherited: true });
    expect(tree.effectiveOwner('addr')).toMatchObject({ personId: 'dirk', inherited: false });
  });

  it('sees a cycle when a journey would move under its own descendant or itself', () => {
    expect(tree.wouldCycle('onb', 'gift')).toBe(true);
    expect(tree.wouldCycle('onb', 'onb')).toBe(true);
    expect(tree.wouldCycle('gift', 'move')).toBe(false);
  });

  it('keeps levels in order: a lifecycle is a root, nothing sits under a lower level', () => {
    expect(levelProblem('lifecycle', 'journey')).toMatch(/lifecycle/);
    expect(levelProblem('journey', 'task')).toMatch(/cannot sit under a task/);
    expect(levelProblem('task', 'lifecycle')).toBeUndefined();
    expect(levelProblem('journey', null)).toBeUndefined();
  });

  it('walks the tree depth first with depths, parents before children', () => {
    expect(tree.walk().map((w) => `${w.depth}:${w.journey.id}`)).toEqual(['0:life', '1:move', '2:addr', '1:onb', '2:gift']);
  });
});
