// Who may change what of the project (decision 0019). The loyalty program — promotions, levels (the rank segments,
// the earning promotions and the Rank scenario), points rules (a balance type's rules and the points-payment
// promotion), SMS texts, marketing scenarios and their on/off — is a marketer's to change; what connects the
// installation to the world — integration points, operations, SMS connections, statuses, fields, settings, and
// whatever sends codes or calls out — needs an owner. One table, read by every path that changes the project:
// a file applied from the console or the API, a plan of one, and the editors that apply through them.
import type { AdminRole } from '../db/schema.ts';
import type { EntityKind, ProjectDefinition, ScenarioDefinition, ScenarioStep } from './schemas.ts';

export type ChangeScope = 'program' | 'installation';

/** What a caller may change: the program only, or everything (an owner, the admin token, the command line, start-up). */
export type ChangeRight = 'program' | 'everything';

export function changeRightOf(role: AdminRole): ChangeRight {
  return role === 'owner' ? 'everything' : 'program';
}

/** One entity's change as the scope table reads it: its stored definition and the one proposed (null: none). */
export interface EntityChange {
  kind: EntityKind | 'settings';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The stored project and the proposed one, for the kinds whose scope depends on what uses them. */
export interface ScopeContext {
  current: ProjectDefinition;
  proposed: ProjectDefinition;
}

type Rule = ChangeScope | ((change: EntityChange, context: ScopeContext) => ChangeScope);

/** A balance type's rules a marketer may set; the rest (whether it counts hundredths) reinterprets stored points. */
const PROGRAM_BALANCE_TYPE_FIELDS = new Set(['name', 'description', 'activationDelayHours', 'lifetimeDays', 'refundSpentOnReturn']);

/** Steps that send one-time codes or call other systems (a webhook's URL and secret) are the installation's. */
const INSTALLATION_STEPS = new Set<ScenarioStep['type']>(['generateAuthorizationCode', 'callWebhook']);

/** A transactional scenario (codes, confirmations: sent whatever the guest's consent) or one with installation steps. */
function isInstallationScenario(scenario: Pick<ScenarioDefinition, 'transactional' | 'branches'>): boolean {
  return scenario.transactional || scenario.branches.some((branch) => branch.steps.some((step) => INSTALLATION_STEPS.has(step.type)));
}

/** Mailings an operation sends (a confirmation code) or an installation scenario sends: their text carries the code. */
function installationMailings(project: ProjectDefinition): Set<string> {
  const names = new Set<string>();
  for (const operation of project.operations) {
    const mailing = (operation.settings as { confirmationMailing?: unknown }).confirmationMailing;
    if (typeof mailing === 'string') names.add(mailing);
  }
  for (const scenario of project.scenarios) {
    if (!isInstallationScenario(scenario)) continue;
    for (const branch of scenario.branches) for (const step of branch.steps) if (step.type === 'sendMailing') names.add(step.mailing);
  }
  return names;
}

const changedFields = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));

/** The scope of a change of each kind: the type checker insists that a new kind gets its row. */
export const CHANGE_SCOPES: Record<EntityKind | 'settings', Rule> = {
  settings: 'installation',
  integrationPoints: 'installation',
  operations: 'installation',
  orderLineStatuses: 'installation',
  externalSystems: 'installation',
  customFields: 'installation',
  smsConnections: 'installation',
  // a new balance type is used only through operations' settings; `fractional` changes what stored amounts mean
  balanceTypes: ({ before, after }) =>
    before && after && changedFields(before, after).every((field) => PROGRAM_BALANCE_TYPE_FIELDS.has(field)) ? 'program' : 'installation',
  mailings: ({ before, after }, { current, proposed }) => {
    const name = String((after ?? before)!.systemName);
    return installationMailings(current).has(name) || installationMailings(proposed).has(name) ? 'installation' : 'program';
  },
  scenarios: ({ before, after }) =>
    [before, after].some((scenario) => scenario && isInstallationScenario(scenario as unknown as ScenarioDefinition)) ? 'installation' : 'program',
  segments: 'program',
  couponPools: 'program',
  promotions: 'program',
};

/** Whether a change is the program's or the installation's; removing an entity (a restore) is always an owner's. */
export function scopeOf(change: EntityChange, context: ScopeContext): ChangeScope {
  if (change.after === null) return 'installation';
  const rule = CHANGE_SCOPES[change.kind];
  return typeof rule === 'string' ? rule : rule(change, context);
}

export function mayChange(right: ChangeRight, scope: ChangeScope): boolean {
  return right === 'everything' || scope === 'program';
}
