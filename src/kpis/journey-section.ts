// The KPI lines on the journey card (`journey onboarding`): each KPI's latest value against its
// target and its status, a section the journey card is given (src/app.ts).
import { bold, code, context, para, text, type Block } from '../chat/card.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { JourneyCardSection } from '../journeys/cards.js';
import { formatValue, statusText } from './cards.js';
import { kpisOfJourney } from './repo.js';
import { loadViews } from './snapshot.js';

export async function journeyKpiSection(db: Db, journeyId: string, journeyKey: string, now: Date): Promise<Block[]> {
  const kpis = await kpisOfJourney(db, journeyId);
  const orgId = kpis[0]?.org_id;
  if (!orgId) return [];
  const views = await loadViews(db, orgId, kpis, 'all', now, { definitions: false });
  return [
    para(bold('KPIs')),
    {
      kind: 'list',
      items: views.map((v) => [
        text(`${statusText(v.reading.status)} · ${v.kpi.name}: `),
        text(v.reading.latest ? `${formatValue(v.reading.latest.value, v.kpi.unit)} (target ${formatValue(v.kpi.target, v.kpi.unit)})` : 'no values yet'),
      ]),
    },
    context('Snapshot with chart: ', code(`kpi ${journeyKey}`)),
  ];
}

/** The KPI section of the journey card, for journeysCapability's sections. */
export function kpiJourneySection(clock: Clock): JourneyCardSection {
  return { name: 'KPIs', render: ({ db, journeyId, journeyKey }) => journeyKpiSection(db, journeyId, journeyKey, clock.now()) };
}
