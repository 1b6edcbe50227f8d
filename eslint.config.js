// @ts-check
/**
 * Lint for `release`: typescript-eslint's strict type-checked rules, and the dependency rule of
 * docs/dev/architecture.md as import rules (see docs/dev/contributing.md for how they map).
 */
import importX, {createNodeResolver} from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

/** Only these packages may be imported from the folder; relative imports are checked by no-restricted-paths. */
const onlyPackages = (...names) => ({
  patterns: [
    {
      regex: `^(?!\\.|(${names.join('|')})$)`,
      message: 'machines/ and strategies/ import only xstate and the layers below them (docs/dev/architecture.md).',
    },
  ],
})
const awsSdk = {group: ['@aws-sdk/*'], message: 'Only src/aws and src/sim talk to the AWS SDK; use a port from src/ports.'}
const oclif = {group: ['@oclif/*'], message: 'Only src/commands uses oclif; app code returns data for a command to render.'}

/**
 * no-restricted-imports sees only static imports: `import('pkg')` of the same packages is refused
 * here, and so is `require('pkg')` or `createRequire(url)('pkg')` (src/aws/sdk.ts loads the SDK so).
 * A require bound to a name would hide what it loads from these selectors: only src/aws/sdk.ts binds one.
 */
const LOAD = 'This layer may not load that package (docs/dev/architecture.md).'
const dynamic = (re, {bindsRequire = false} = {}) => ({
  'no-restricted-syntax': [
    'error',
    {selector: `ImportExpression[source.value=${String(re)}]`, message: LOAD},
    {selector: `CallExpression[callee.name='require'][arguments.0.value=${String(re)}]`, message: LOAD},
    {selector: `CallExpression[callee.type='CallExpression'][arguments.0.value=${String(re)}]`, message: LOAD},
    ...(bindsRequire ? [] : [{selector: `VariableDeclarator[init.callee.name='createRequire']`, message: 'Only src/aws/sdk.ts binds a require: load packages there, or by import.'}]),
  ],
})

/** The folders below src/app: none of them imports src/app or src/commands. */
const belowApp = ['machines', 'strategies', 'src/ports', 'src/util', 'src/aws', 'src/sim', 'src/engine', 'src/store', 'src/config', 'src/template']

export default tseslint.config(
  // What .gitignore keeps out (build output, reports, local state) and the user-facing examples.
  {ignores: ['dist/**', 'coverage/**', 'reports/**', '.stryker-tmp*/**', '.release/**', 'bench/results.tmp*', 'examples/**']},
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {allowDefaultProject: ['vitest.config.ts', 'vitest.mutation.config.ts']},
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: {'import-x': importX},
    settings: {
      // `./x.js` in an import names `./x.ts` (NodeNext), so the resolver maps the extension back.
      'import-x/resolver-next': [createNodeResolver({extensions: ['.ts', '.js', '.mjs', '.json'], extensionAlias: {'.js': ['.ts', '.js']}})],
    },
    rules: {
      // Off by default (tests, bench, scripts), on for src/, machines/ and strategies/ below.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers and booleans in messages are the house style ("3 instances"); objects, any and undefined stay errors.
      '@typescript-eslint/restrict-template-expressions': ['error', {allowNumber: true, allowBoolean: true}],
      // Port implementations and fakes are `async` with nothing to await so that a throw becomes a rejection, as the port's callers expect.
      '@typescript-eslint/require-await': 'off',
      // The house style writes one-line arrows that return a void call (`(e) => void log(e)`, `() => fn()`).
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Defensive checks on data read back from JSON state files and AWS answers whose SDK types claim more than the wire does.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Records keyed by name (stacks, instances, leases) are deleted from by key by design.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // String(x) on values typed string but read from JSON files and API answers, which may hold anything.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // `String(x)` of a caught error or a template value is deliberate: it is shown as is, whatever it is.
      '@typescript-eslint/no-base-to-string': 'off',
      // A caught error (unknown) is passed on as it came, not wrapped.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', {allowThrowingUnknown: true}],
      '@typescript-eslint/only-throw-error': ['error', {allowThrowingUnknown: true, allowThrowingAny: false}],
      // xstate's `fromPromise<void, Input>` names a step that returns nothing; the rule refuses void there even when allowed as a type argument.
      '@typescript-eslint/no-invalid-void-type': 'off',
      // The runner's `let root` is read by a callback made before the actor it names exists.
      'prefer-const': ['error', {ignoreReadBeforeAssign: true}],
      // `store as DynamoStateStore` where release.yml chose the backend; the fenced wrapper is not an instance of the class.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // `const {a: _a, ...rest} = x` drops a field on purpose.
      '@typescript-eslint/no-unused-vars': ['error', {ignoreRestSiblings: true, varsIgnorePattern: '^_', argsIgnorePattern: '^_'}],
    },
  },
  {
    files: ['src/**/*.ts', 'machines/**/*.ts', 'strategies/**/*.ts', 'bin/**/*.js'],
    rules: {'import-x/no-extraneous-dependencies': ['error', {devDependencies: false, includeTypes: false}]},
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', '*.config.ts', '*.js'],
    rules: {'import-x/no-extraneous-dependencies': ['error', {devDependencies: true}]},
  },
  // The dependency rule, on resolved paths (static and dynamic imports).
  {
    files: ['src/**/*.ts', 'machines/**/*.ts', 'strategies/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {target: './machines', from: ['./strategies', './src'], message: 'machines/ are pure xstate definitions.'},
            {target: './strategies', from: './src', except: ['./ports', './util'], message: 'strategies/ talk to the world only through src/ports.'},
            {target: belowApp.map((d) => `./${d}`), from: ['./src/app', './src/commands'], message: 'The arrows point one way: commands -> app -> the rest.'},
            {target: './src/app', from: './src/commands', message: 'app returns data; commands render it.'},
            {
              target: ['./machines', './strategies', './src/!(sim|app)/**', './src/*.ts'],
              from: './src/sim',
              message: 'Only src/app chooses the simulated account.',
            },
          ],
        },
      ],
    },
  },
  {files: ['machines/**/*.ts', 'strategies/**/*.ts'], rules: {'no-restricted-imports': ['error', onlyPackages('xstate')], ...dynamic(/^(?!\.|xstate$)/)}},
  {files: ['src/**/*.ts'], rules: {'no-restricted-imports': ['error', {patterns: [awsSdk, oclif]}], ...dynamic(/^@(aws-sdk|oclif)\//)}},
  {files: ['src/aws/**/*.ts', 'src/sim/**/*.ts'], rules: {'no-restricted-imports': ['error', {patterns: [oclif]}], ...dynamic(/^@oclif\//)}},
  {files: ['src/aws/sdk.ts'], rules: {...dynamic(/^@oclif\//, {bindsRequire: true})}},
  {files: ['src/commands/**/*.ts'], rules: {'no-restricted-imports': ['error', {patterns: [awsSdk]}], ...dynamic(/^@aws-sdk\//)}},
  {
    // Commands run in-process in tests, several at once in one worker: the working directory, the
    // environment, the output and the exit code come from cli() (src/util/cli-context.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/util/cli-context.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['cwd', 'env', 'stdout', 'stderr', 'stdin', 'exitCode', 'exit', 'chdir'].map((property) => ({
          object: 'process',
          property,
          message: `use cli().${property === 'exitCode' ? 'setExitCode()' : property} (src/util/cli-context.ts): tests run commands in-process`,
        })),
      ],
    },
  },
  {
    // The runner is generic over machines (context: any) and the DynamoDB store sends commands of every shape through one
    // retrying `send`; typing them is issue 17 item 5's work (narrow machine inputs), not a lint fix.
    files: ['src/engine/runner.ts', 'src/aws/state-store.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // Steps get narrow inputs checked once (machines/*-inputs.ts); elsewhere a value that may be
    // missing is narrowed or refused with an error that names it, never asserted with `!`.
    files: ['src/**/*.ts', 'machines/**/*.ts', 'strategies/**/*.ts'],
    rules: {'@typescript-eslint/no-non-null-assertion': 'error'},
    // Tests (~570 `!`) keep it off: a test that reads back what it wrote (`ledger.releases[0]!`) fails
    // on the next line when the value is missing, which is the assertion; narrowing would only restate it.
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // `expect(fake.method)` and vitest's spies read methods off objects without calling them.
      '@typescript-eslint/unbound-method': 'off',
      // `json<T>(result)` casts the CLI's output to the type the test expects.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // `'text' + json.field` on untyped JSON, allowed any above.
      '@typescript-eslint/restrict-plus-operands': 'off',
      // Tests read the CLI's JSON output and the state files as untyped JSON and assert on its fields.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked]},
)
