// Validates a whole project file: shape first (zod), then every reference between entities and every
// mailing template. Returns all problems at once, each with its path in the file.
import { compileTemplate, recipientParameters, TemplateError } from '../messaging/template/index.ts';
import { ENTITY_KINDS, ENTITY_KIND_NAMES, projectSchema, type CustomFieldDefinition, type ProjectDefinition } from './schemas.ts';

export interface ProjectProblem {
  path: string;
  message: string;
}

export type ProjectValidation = { ok: true; project: ProjectDefinition } | { ok: false; problems: ProjectProblem[] };

const pathOf = (segments: ReadonlyArray<PropertyKey>) => '/' + segments.map(String).join('/');

export function validateProject(input: unknown): ProjectValidation {
  const parsed = projectSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message })),
    };
  }
  const project = parsed.data;
  const problems = checkReferences(project);
  return problems.length ? { ok: false, problems } : { ok: true, project };
}

type FieldName = Pick<CustomFieldDefinition, 'entity' | 'systemName'>;

/**
 * Fields of one entity whose names differ only in case share this key: requests name fields in any case (decision
 * 0016), so no two of them can exist. Looked up in a map, a file of thousands of fields is checked at once.
 */
export function caseInsensitiveFieldKey(field: FieldName): string {
  return `${field.entity}/${field.systemName.toLowerCase()}`;
}

export function caseClash(field: FieldName, other: FieldName, where: string): string {
  return `"${field.systemName}" differs from the ${other.entity} field "${other.systemName}" (${where}) only in case: requests name fields in any case, so rename one`;
}

function checkReferences(project: ProjectDefinition): ProjectProblem[] {
  const problems: ProjectProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  for (const kind of ENTITY_KIND_NAMES) {
    const keyOf = ENTITY_KINDS[kind] as (entity: unknown) => string;
    const seen = new Set<string>();
    (project[kind] as unknown[]).forEach((entity, index) => {
      const key = keyOf(entity);
      if (seen.has(key)) problem(`/${kind}/${index}`, `"${key}" is defined twice`);
      seen.add(key);
    });
  }

  const firstFieldOfKey = new Map<string, number>();
  project.customFields.forEach((field, index) => {
    const key = caseInsensitiveFieldKey(field);
    const earlier = firstFieldOfKey.get(key);
    if (earlier === undefined) firstFieldOfKey.set(key, index);
    else if (project.customFields[earlier].systemName !== field.systemName) {
      problem(`/customFields/${index}/systemName`, caseClash(field, project.customFields[earlier], `/customFields/${earlier}`));
    }
  });

  const names = <T>(list: T[], key: (item: T) => string) => new Set(list.map(key));
  const integrationPoints = names(project.integrationPoints, (e) => e.systemName);
  const balanceTypes = names(project.balanceTypes, (e) => e.systemName);
  const connections = names(project.smsConnections, (e) => e.systemName);
  const mailings = names(project.mailings, (e) => e.systemName);
  const operations = names(project.operations, (e) => e.systemName);
  const segments = names(project.segments, (e) => e.systemName);
  const lineStatuses = names(project.orderLineStatuses, (e) => e.externalId);
  const externalSystems = names(project.externalSystems, (e) => e.systemName);
  const couponPools = names(project.couponPools, (e) => e.systemName);
  const customerFields = names(
    project.customFields.filter((f) => f.entity === 'Customer'),
    (e) => e.systemName,
  );

  const expect = (set: Set<string>, value: string | undefined, path: string, what: string) => {
    if (value !== undefined && !set.has(value)) problem(path, `${what} "${value}" is not defined in the project`);
  };

  project.operations.forEach((operation, i) => {
    operation.integrationPoints.forEach((point, j) =>
      expect(integrationPoints, point, `/operations/${i}/integrationPoints/${j}`, 'integration point'),
    );
    const settings = operation.settings as Record<string, unknown>;
    if (Array.isArray(settings.balanceTypes))
      (settings.balanceTypes as string[]).forEach((name, j) =>
        expect(balanceTypes, name, `/operations/${i}/settings/balanceTypes/${j}`, 'balance type'),
      );
    if (typeof settings.balanceType === 'string')
      expect(balanceTypes, settings.balanceType, `/operations/${i}/settings/balanceType`, 'balance type');
    if (typeof settings.defaultLineStatus === 'string')
      expect(lineStatuses, settings.defaultLineStatus, `/operations/${i}/settings/defaultLineStatus`, 'order line status');
    if (typeof settings.confirmationMailing === 'string')
      expect(mailings, settings.confirmationMailing, `/operations/${i}/settings/confirmationMailing`, 'mailing');
    if (typeof settings.externalSystem === 'string')
      expect(externalSystems, settings.externalSystem, `/operations/${i}/settings/externalSystem`, 'external system');
  });

  const templateParameters = recipientParameters(project.customFields.filter((field) => field.entity === 'Customer'));
  const card = project.settings.guestCard;
  if (card) {
    expect(mailings, card.codeMailing, '/settings/guestCard/codeMailing', 'mailing');
    expect(balanceTypes, card.balanceType, '/settings/guestCard/balanceType', 'balance type');
    expect(customerFields, card.levelField, '/settings/guestCard/levelField', 'customer field');
  }

  project.mailings.forEach((mailing, i) => {
    expect(connections, mailing.connection, `/mailings/${i}/connection`, 'SMS connection');
    try {
      compileTemplate(mailing.template, { parameters: templateParameters });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problem(`/mailings/${i}/template`, error.message);
    }
  });

  project.segments.forEach((segment, i) =>
    segment.conditions.forEach((condition, j) => {
      const path = `/segments/${i}/conditions/${j}`;
      if (condition.type === 'customField') expect(customerFields, condition.field, `${path}/field`, 'customer field');
      if (condition.type === 'pointsAvailable') expect(balanceTypes, condition.balanceType, `${path}/balanceType`, 'balance type');
      if ('atLeast' in condition && 'below' in condition && condition.atLeast !== undefined && condition.below !== undefined && condition.atLeast >= condition.below)
        problem(path, '"atLeast" must be lower than "below"');
    }),
  );

  project.scenarios.forEach((scenario, i) => {
    scenario.trigger.segments?.forEach((name, j) => expect(segments, name, `/scenarios/${i}/trigger/segments/${j}`, 'segment'));
    scenario.branches.forEach((branch, b) => {
      branch.conditions.forEach((condition, c) => {
        const path = `/scenarios/${i}/branches/${b}/conditions/${c}`;
        if (condition.type === 'inSegment' || condition.type === 'notInSegment') expect(segments, condition.segment, `${path}/segment`, 'segment');
        if (condition.type === 'fromOperation') expect(operations, condition.operation, `${path}/operation`, 'operation');
        if (condition.type === 'fieldEquals') expect(customerFields, condition.field, `${path}/field`, 'customer field');
      });
      branch.steps.forEach((step, s) => {
        const path = `/scenarios/${i}/branches/${b}/steps/${s}`;
        if (step.type === 'sendMailing') expect(mailings, step.mailing, `${path}/mailing`, 'mailing');
        if (step.type === 'setCustomField') expect(customerFields, step.field, `${path}/field`, 'customer field');
        if (step.type === 'changeBalance') expect(balanceTypes, step.balanceType, `${path}/balanceType`, 'balance type');
        if (step.type === 'issueCoupon') expect(couponPools, step.pool, `${path}/pool`, 'coupon pool');
      });
    });
  });

  project.promotions.forEach((promotion, i) => {
    const p = promotion as Record<string, unknown>;
    if (typeof p.balanceType === 'string') expect(balanceTypes, p.balanceType, `/promotions/${i}/balanceType`, 'balance type');
    if (typeof p.couponPool === 'string') expect(couponPools, p.couponPool, `/promotions/${i}/couponPool`, 'coupon pool');
    if (Array.isArray(p.segments)) (p.segments as string[]).forEach((name, j) => expect(segments, name, `/promotions/${i}/segments/${j}`, 'segment'));
    const field = p.customField as { name?: string } | undefined;
    if (field?.name) expect(customerFields, field.name, `/promotions/${i}/customField/name`, 'customer field');
  });

  return problems;
}
