// A validated project held in memory: what every request consults to find its integration point,
// operation, balance types and rules. Built from the stored entities; never mutated.
import type {
  BalanceTypeDefinition,
  CustomFieldDefinition,
  IntegrationPointDefinition,
  MailingDefinition,
  OperationDefinition,
  OrderLineStatusDefinition,
  ProjectDefinition,
  ScenarioDefinition,
  SegmentDefinition,
  SmsConnectionDefinition,
} from './schemas.ts';
import type { SecretValue, SecretValues } from './secret-values.ts';
import { sameFieldName } from '../wire/field-keys.ts';

export class ProjectSnapshot {
  readonly definition: ProjectDefinition;
  readonly version: number;
  private readonly integrationPointsByName: Map<string, IntegrationPointDefinition>;
  private readonly operationsByName: Map<string, OperationDefinition>;
  private readonly balanceTypesByName: Map<string, BalanceTypeDefinition>;
  private readonly lineStatusesById: Map<string, OrderLineStatusDefinition>;
  private readonly mailingsByName: Map<string, MailingDefinition>;
  private readonly connectionsByName: Map<string, SmsConnectionDefinition>;
  private readonly segmentsByName: Map<string, SegmentDefinition>;
  private readonly resolvedSecrets = new Map<string, string>();

  /** `secrets` opens the project's secret fields; a snapshot without it (pure calculations in tests) has none to open */
  constructor(
    definition: ProjectDefinition,
    version: number,
    private readonly secrets?: SecretValues,
  ) {
    this.definition = definition;
    this.version = version;
    const byName = <T>(list: T[], key: (item: T) => string) => new Map(list.map((item) => [key(item), item]));
    this.integrationPointsByName = byName(definition.integrationPoints, (e) => e.systemName);
    this.operationsByName = byName(definition.operations, (e) => e.systemName);
    this.balanceTypesByName = byName(definition.balanceTypes, (e) => e.systemName);
    this.lineStatusesById = byName(definition.orderLineStatuses, (e) => e.externalId);
    this.mailingsByName = byName(definition.mailings, (e) => e.systemName);
    this.connectionsByName = byName(definition.smsConnections, (e) => e.systemName);
    this.segmentsByName = byName(definition.segments, (e) => e.systemName);
  }

  get settings() {
    return this.definition.settings;
  }

  integrationPoint(systemName: string): IntegrationPointDefinition | undefined {
    return this.integrationPointsByName.get(systemName);
  }

  operation(systemName: string): OperationDefinition | undefined {
    return this.operationsByName.get(systemName);
  }

  balanceType(systemName: string): BalanceTypeDefinition | undefined {
    return this.balanceTypesByName.get(systemName);
  }

  lineStatus(externalId: string): OrderLineStatusDefinition | undefined {
    return this.lineStatusesById.get(externalId);
  }

  lineStatusesOf(category: OrderLineStatusDefinition['category']): OrderLineStatusDefinition[] {
    return this.definition.orderLineStatuses.filter((status) => status.category === category);
  }

  mailing(systemName: string): MailingDefinition | undefined {
    return this.mailingsByName.get(systemName);
  }

  smsConnection(systemName: string): SmsConnectionDefinition | undefined {
    return this.connectionsByName.get(systemName);
  }

  /** The clear value of a secret field (decision 0008), for the moment it is used; `where` names the field. */
  secret(value: SecretValue, where: string): string {
    let resolved = this.resolvedSecrets.get(where);
    if (resolved === undefined) {
      if (!this.secrets) throw new Error(`${where}: this project snapshot cannot open secrets`);
      resolved = this.secrets.resolve(value, where);
      this.resolvedSecrets.set(where, resolved);
    }
    return resolved;
  }

  /** The URL an SMS connection sends through, credentials included: its own, or `defaultSmsUrl` (REGULARS_SMS_URL). */
  smsConnectionUrl(systemName: string, defaultSmsUrl: string): string {
    const connection = this.smsConnection(systemName);
    return connection?.url === undefined ? defaultSmsUrl : this.secret(connection.url, `smsConnections/${systemName}/url`);
  }

  segment(systemName: string): SegmentDefinition | undefined {
    return this.segmentsByName.get(systemName);
  }

  customFields(entity: CustomFieldDefinition['entity']): CustomFieldDefinition[] {
    return this.definition.customFields.filter((field) => field.entity === entity);
  }

  /** The field a name names, in any case: names of one entity's fields differ beyond case (validate.ts). */
  customField(entity: CustomFieldDefinition['entity'], name: string): CustomFieldDefinition | undefined {
    return this.definition.customFields.find((field) => field.entity === entity && sameFieldName(field.systemName, name));
  }

  /** Order custom fields of type ExternalIdentifier: the keys an order may be found by in `order.ids`. */
  orderIdentifierFields(): string[] {
    return this.customFields('Order')
      .filter((field) => field.type === 'ExternalIdentifier')
      .map((field) => field.systemName);
  }

  scenariosFor(event: ScenarioDefinition['trigger']['event']): ScenarioDefinition[] {
    return this.definition.scenarios.filter((scenario) => scenario.trigger.event === event);
  }
}
