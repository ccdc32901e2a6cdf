// The import rules of Regulars, checked in CI by `npm run lint:deps` (decision 0018). Type-only imports count
// everywhere: a circle or a wrong direction made of types is still a dependency of the design.
// .dependency-cruiser-known-violations.json is empty (decision 0018): every violation fails the check.

/** Test files and what only tests use: they may reach anything to arrange and assert. */
const TESTS = ['\\.test\\.ts$', '^test/'];
/** Programs of their own beside the server: the benchmarks and the build and test scripts. */
const TOOLS = '^(bench|scripts)/';
/** The domain modules: each keeps its services, repositories, routes and commands in its folder. */
const MODULES = '^src/(admin|backup|catalog|customers|jobs|loyalty|messaging|orders|project|scenarios|segments)/';
const ENTRIES = '^src/(main|cli|server|background)\\.ts$';
/** Shared files that keep server-wide state in the database: the encryption key and the failed-attempt counters. */
const SHARED_WITH_STATE = '^src/shared/(encryption-key|server-secrets\\.repository|failed-attempts|failed-attempts\\.repository)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'entries-on-top',
      comment: 'Nothing imports the entries (src/main.ts, src/cli.ts, src/server.ts, and src/background.ts, the list of every module\'s background work) but another entry, the tests and the benchmarks.',
      severity: 'error',
      from: { pathNot: [ENTRIES, TOOLS, ...TESTS] },
      to: { path: ENTRIES },
    },
    {
      name: 'modules-below-the-protocol',
      comment: 'The Mindbox protocol layer calls the modules; no module, and nothing below them, imports it (decision 0010).',
      severity: 'error',
      from: { path: [MODULES, '^src/(http|wire|shared|db)/', '^src/config\\.ts$'], pathNot: TESTS },
      to: { path: '^src/protocol/' },
    },
    {
      name: 'no-foreign-repository',
      comment: "A module never imports another module's repository: it calls that module's service.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: TESTS },
      to: { path: '\\.repository\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'routes-and-commands-registered-by-entries',
      comment: "A module's admin routes are listed in src/server.ts and its commands in src/cli.ts; no other module imports them.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: TESTS },
      to: { path: '\\.(routes|cli)\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'operations-below-the-pipeline',
      comment: 'A handler gets the call and narrow dependencies, never the pipeline, the routes or the log writer (decision 0010).',
      severity: 'error',
      from: { path: '^src/protocol/mindbox/(operations|shapes)/' },
      to: { path: '^src/protocol/mindbox/(pipeline|admission|protocol\\.routes|async-worker|operation-log-writer|protocol\\.service)\\.ts$' },
    },
    {
      name: 'shapes-below-the-operations',
      comment: 'The Mindbox shapes read and write nodes; they call no handler.',
      severity: 'error',
      from: { path: '^src/protocol/mindbox/shapes/' },
      to: { path: '^src/protocol/mindbox/operations/' },
    },
    {
      name: 'app-context-is-a-type',
      comment: 'The app is handed to routes, commands and jobs as a value; its module is imported for its type only.',
      severity: 'error',
      from: {},
      to: { path: '^src/app-context\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'http-is-a-leaf',
      comment: "src/http imports no module: only the error table and the console's role names (decision 0009).",
      severity: 'error',
      from: { path: '^src/http/', pathNot: TESTS },
      to: { path: '^src/', pathNot: ['^src/http/', '^src/shared/errors\\.ts$', '^src/db/schema\\.ts$'] },
    },
    {
      name: 'http-reads-only-types-of-the-schema',
      comment: 'src/http names the schema\'s AdminRole; it never reaches the database.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/db/schema\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pos-depends-on-the-wire-only',
      comment: 'src/pos imports only src/pos and src/wire, so the POS could ship on its own (decision 0602).',
      severity: 'error',
      from: { path: '^src/pos/', pathNot: TESTS },
      to: { path: '^(src|test|bench|scripts)/', pathNot: '^src/(pos|wire)/' },
    },
    {
      name: 'wire-stands-alone',
      comment: 'src/wire, the contract with the POS, imports nothing else of the repository (decision 0602).',
      severity: 'error',
      from: { path: '^src/wire/', pathNot: TESTS },
      to: { path: '^(src|test|bench|scripts)/', pathNot: '^src/wire/' },
    },
    {
      name: 'db-imports-no-domain',
      comment: 'src/db opens the database and migrates it; it imports src/db and the shared leaf only.',
      severity: 'error',
      from: { path: '^src/db/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(db|shared)/' },
    },
    {
      name: 'shared-is-a-leaf',
      comment: 'src/shared imports src/shared and the wire contract (money, validation messages) only.',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: [SHARED_WITH_STATE, ...TESTS] },
      to: { path: '^src/', pathNot: '^src/(shared|wire)/' },
    },
    {
      name: 'shared-state-reaches-the-database-only',
      comment: 'The shared files that keep state in the database (the key, the failed-attempt counters) may import src/db too, nothing higher.',
      severity: 'error',
      from: { path: SHARED_WITH_STATE },
      to: { path: '^src/', pathNot: '^src/(shared|wire|db)/' },
    },
    {
      name: 'server-code-imports-no-test',
      comment: 'What runs in production never imports test support.',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^test/' },
    },
    {
      name: 'server-code-needs-no-dev-dependency',
      comment: 'An installation without devDependencies still runs: production code imports dependencies only.',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'console-talks-over-http',
      comment: 'The console (ui/) reaches the server through its API only.',
      severity: 'error',
      from: { path: '^ui/' },
      to: { path: '^(src|test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^ui/dist/', '^data/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
