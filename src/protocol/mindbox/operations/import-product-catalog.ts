// ImportProductCatalog (Offline.SendProductCatalog): the whole menu of one external system, as a JSON
// `productCatalog` body (or its XML `<operation>` form) or as a YML feed (`<yml_catalog>` root).
// Valid items are saved even when others are not; the answer counts what happened and lists each
// problem with its location (docs/operations.md, "Offline.SendProductCatalog").
import { importCatalog, type CatalogImportResult } from '../../../catalog/catalog.service.ts';
import { parseJsonCatalog } from '../../../catalog/importers/json.ts';
import { parseYmlCatalog } from '../../../catalog/importers/yml.ts';
import { protocolError } from '../../../shared/errors.ts';
import { operation, type OperationCall, type ReadContext } from './types.ts';

/** More messages than this are summed up in one last message; `errors` still counts them all. */
export const MAX_ANSWER_MESSAGES = 1000;

function externalSystemOf(call: OperationCall, { project }: ReadContext): string {
  const configured = call.operation.settings.externalSystem;
  if (typeof configured === 'string' && configured !== '') return configured;
  const systems = project.definition.externalSystems;
  if (systems.length === 1) return systems[0].systemName;
  throw protocolError(
    `operation "${call.operation.systemName}" has no externalSystem setting and the project has ${systems.length} external systems; set settings.externalSystem`,
  );
}

export function catalogAnswer(result: CatalogImportResult, durationMs: number): Record<string, unknown> {
  const shown = result.messages.slice(0, MAX_ANSWER_MESSAGES);
  const hidden = result.messages.length - shown.length;
  return {
    productCatalog: {
      processingStatus: 'Processed',
      externalSystem: result.externalSystem,
      ...result.products,
      categories: result.categories,
      errors: result.messages.length,
      durationMs: Math.round(durationMs),
    },
    validationMessages: hidden > 0 ? [...shown, { message: `… and ${hidden} more problems, not listed` }] : shown,
  };
}

export const importProductCatalog = operation({
  // a feed of tens of megabytes is parsed once, by the worker; its intake checks where it would go
  intake: (call, context) => void externalSystemOf(call, context),
  read: (call, context) => {
    const externalSystem = externalSystemOf(call, context);
    return { externalSystem, upload: call.xmlRoot === 'yml_catalog' ? parseYmlCatalog(call.raw) : parseJsonCatalog(call.body, externalSystem) };
  },
  run: async (call, deps, { externalSystem, upload }) => {
    const started = performance.now();
    const result = await importCatalog(deps.db, upload, {
      externalSystem,
      productFields: deps.project.customFields('Product'),
      now: deps.now,
    });
    const { products, categories } = result;
    deps.notes.push(
      `catalogue ${externalSystem}${call.xmlRoot === 'yml_catalog' ? ' (YML)' : ''}: ${products.received} products ` +
        `(${products.created} created, ${products.changed} changed, ${products.madeUnavailable} made unavailable, ${products.rejected} rejected), ` +
        `${categories.received} categories, ${result.messages.length} problems`,
    );
    return { body: catalogAnswer(result, performance.now() - started) };
  },
});
