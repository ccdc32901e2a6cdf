// `schema.ts` is written by hand (decision 0007): this test holds it to the migrated database. Every table and
// column of the catalog must be declared there, with the database's nullability and a TypeScript type that fits
// the data type as the drivers return it; nothing may be declared that the migrations do not create.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import ts from 'typescript';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Db } from './database.ts';

const schemaFile = fileURLToPath(new URL('./schema.ts', import.meta.url));
const tsconfigFile = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/** What a selected value is, as far as the catalog can say: the JSON columns' shapes are schema.ts's own. */
type ValueKind = 'string' | 'number' | 'boolean' | 'Date' | 'string[]' | 'json' | 'something else';

interface ColumnShape {
  nullable: boolean;
  kinds: ValueKind[];
}

type Columns = Map<string, Map<string, ColumnShape>>;

interface CatalogColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

// int8 comes back as a number (database.ts), numeric and date as text, timestamps as Date
const kindOfDataType: Record<string, ValueKind> = {
  text: 'string',
  uuid: 'string',
  'character varying': 'string',
  date: 'string',
  numeric: 'string',
  integer: 'number',
  bigint: 'number',
  boolean: 'boolean',
  'timestamp with time zone': 'Date',
  json: 'json',
  jsonb: 'json',
};

function kindOfColumn(column: CatalogColumn): ValueKind | undefined {
  if (column.data_type === 'ARRAY') return column.udt_name === '_text' ? 'string[]' : undefined;
  return kindOfDataType[column.data_type];
}

async function catalogColumns(db: Db): Promise<CatalogColumn[]> {
  const { rows } = await sql<CatalogColumn>`
    select table_name, column_name, data_type, udt_name, is_nullable from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name, ordinal_position
  `.execute(db);
  return rows;
}

function columnsOfCatalog(catalog: CatalogColumn[]): Columns {
  const tables: Columns = new Map();
  for (const column of catalog) {
    const kind = kindOfColumn(column);
    const columns = tables.get(column.table_name) ?? new Map<string, ColumnShape>();
    columns.set(column.column_name, { nullable: column.is_nullable === 'YES', kinds: kind ? [kind] : [] });
    tables.set(column.table_name, columns);
  }
  return tables;
}

/** The compiler reuses what did not change since (Kysely's and the standard library's declarations). */
let previousProgram: ts.Program | undefined;

/**
 * The tables of the `Database` interface as the TypeScript compiler sees them: each column's selected type (the
 * first argument of a `ColumnType`), split into its members. `schemaText` stands in for the file's contents.
 */
function columnsOfSchemaFile(schemaText?: string): Columns {
  const config = ts.readConfigFile(tsconfigFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, fileURLToPath(new URL('../..', import.meta.url)));
  // the project's compiler options, without the ambient Node.js types schema.ts does not use (a second faster)
  const options = { ...parsed.options, types: [] };
  const host = ts.createCompilerHost(options);
  if (schemaText !== undefined) {
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (fileName, languageVersion, ...rest) =>
      fileName === schemaFile ? ts.createSourceFile(fileName, schemaText, languageVersion) : getSourceFile(fileName, languageVersion, ...rest);
  }
  const program = ts.createProgram([schemaFile], options, host, previousProgram);
  previousProgram = program;
  const problems = ts.getPreEmitDiagnostics(program, program.getSourceFile(schemaFile));
  assert.deepEqual(problems.map((problem) => ts.flattenDiagnosticMessageText(problem.messageText, '\n')), []);
  const checker = program.getTypeChecker();
  const database = program.getSourceFile(schemaFile)!.statements.find(
    (statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === 'Database',
  )!;
  const members = (type: ts.Type): ts.Type[] => (type.isUnion() ? type.types : [type]);
  const selectedMembers = (type: ts.Type): ts.Type[] =>
    members(type).flatMap((member) => {
      const selected = member.getProperty('__select__');
      return selected ? members(checker.getTypeOfSymbolAtLocation(selected, database)) : [member];
    });
  const kindOf = (type: ts.Type): ValueKind => {
    if (type.flags & ts.TypeFlags.StringLike) return 'string';
    if (type.flags & ts.TypeFlags.NumberLike) return 'number';
    if (type.flags & ts.TypeFlags.BooleanLike) return 'boolean';
    if (type.getSymbol()?.name === 'Date') return 'Date';
    if (checker.isArrayType(type) && checker.getTypeArguments(type as ts.TypeReference).every((element) => element.flags & ts.TypeFlags.StringLike)) return 'string[]';
    return 'something else';
  };
  const tables: Columns = new Map();
  for (const table of checker.getTypeAtLocation(database).getProperties()) {
    const columns = new Map<string, ColumnShape>();
    for (const column of checker.getTypeOfSymbolAtLocation(table, database).getProperties()) {
      const selected = selectedMembers(checker.getTypeOfSymbolAtLocation(column, database));
      const values = selected.filter((member) => !(member.flags & ts.TypeFlags.Null));
      columns.set(column.name, { nullable: values.length < selected.length, kinds: [...new Set(values.map(kindOf))] });
    }
    tables.set(table.name, columns);
  }
  return tables;
}

/** What schema.ts says differently from the database, one sentence each. */
function drift(database: Columns, declared: Columns): string[] {
  const problems: string[] = [];
  for (const table of new Set([...database.keys(), ...declared.keys()])) {
    const inDatabase = database.get(table);
    const inSchema = declared.get(table);
    if (!inSchema) problems.push(`table ${table} is missing from schema.ts`);
    if (!inDatabase) problems.push(`schema.ts declares table ${table}, which no migration creates`);
    if (!inDatabase || !inSchema) continue;
    for (const column of new Set([...inDatabase.keys(), ...inSchema.keys()])) {
      const actual = inDatabase.get(column);
      const written = inSchema.get(column);
      const name = `${table}.${column}`;
      if (!written) problems.push(`column ${name} is missing from schema.ts`);
      if (!actual) problems.push(`schema.ts declares column ${name}, which no migration creates`);
      if (!actual || !written) continue;
      if (actual.nullable !== written.nullable) {
        problems.push(`${name} is ${actual.nullable ? 'nullable' : 'not null'} in the database but ${written.nullable ? 'nullable' : 'not null'} in schema.ts`);
      }
      const [kind] = actual.kinds;
      if (!kind) problems.push(`${name}: no TypeScript type is known for its data type (add it to kindOfDataType)`);
      else if (kind !== 'json' && (written.kinds.length === 0 || written.kinds.some((writtenKind) => writtenKind !== kind))) {
        problems.push(`${name} comes back as ${kind}, schema.ts says ${written.kinds.join(' | ') || 'never'}`);
      }
    }
  }
  return problems;
}

test('schema.ts declares every table and column of the migrated database, with its nullability and type', async () => {
  const database = await createTestDatabase();
  try {
    assert.deepEqual(drift(columnsOfCatalog(await catalogColumns(database.db)), columnsOfSchemaFile()), []);
  } finally {
    await database.close();
  }
});

test('the check names a column a migration added, a nullability that differs and a type that does not fit', async () => {
  const database = await createTestDatabase();
  try {
    const catalog = await catalogColumns(database.db);
    const declared = columnsOfSchemaFile();
    const customerColumn = (name: string) => catalog.find((column) => column.table_name === 'customers' && column.column_name === name)!;
    const changed = [
      ...catalog.filter((column) => column !== customerColumn('email') && column !== customerColumn('mobile_phone') && column !== customerColumn('created_at')),
      { ...customerColumn('email'), is_nullable: 'NO' as const },
      { ...customerColumn('mobile_phone'), data_type: 'integer' },
      { ...customerColumn('created_at'), is_nullable: 'YES' as const },
      { ...customerColumn('email'), column_name: 'nickname' },
    ];
    assert.deepEqual(drift(columnsOfCatalog(changed), declared).sort(), [
      'column customers.nickname is missing from schema.ts',
      'customers.created_at is nullable in the database but not null in schema.ts',
      'customers.email is not null in the database but nullable in schema.ts',
      'customers.mobile_phone comes back as number, schema.ts says string',
    ]);

    const schemaText = ts.sys.readFile(schemaFile)!;
    const edited = schemaText
      .replace('  last_name: string | null;\n', '  last_name: string;\n')
      .replace('  registered_via: string | null;\n', '  registered_via: string | null;\n  loyalty_tier: string;\n');
    assert.notEqual(edited, schemaText);
    assert.deepEqual(drift(columnsOfCatalog(catalog), columnsOfSchemaFile(edited)).sort(), [
      'customers.last_name is nullable in the database but not null in schema.ts',
      'schema.ts declares column customers.loyalty_tier, which no migration creates',
    ]);
  } finally {
    await database.close();
  }
});
