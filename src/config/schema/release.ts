/** The top level of release.yml. */
import * as v from 'valibot'
import {suggest} from '../suggest.js'
import {refine} from './context.js'
import {key, named, oneOf, section, text, withDefault} from './fields.js'
import {REGION, SHELL_DOCUMENTS, targetName} from './names.js'
import {say} from './say.js'
import {simulated} from './simulated.js'
import {state} from './state.js'
import {notifyEntry} from './notify.js'
import {target, type TargetOutput} from './target.js'
import {checkEnvironments, environmentsEntry} from './environments.js'
import {checkEphemeral, ephemeralEntry} from './ephemeral.js'

const region = v.pipe(
  text(),
  v.check((r) => REGION.test(r), say({kind: 'expected', what: 'an AWS region such as us-east-1 or eu-west-3', hint: 'Set region to the region code, e.g. us-east-1.'})),
)

export const releaseEntries = {
  account: withDefault(oneOf(['simulated', 'aws']), 'simulated', 'Where releases run. `simulated`: the simulated account built into `release`, no credentials needed. `aws`: real AWS, with the standard AWS SDK credential chain (`AWS_PROFILE`, environment, instance role...); `AWS_ENDPOINT_URL` works as the SDK defines it.'),
  region: withDefault(region, 'us-east-1', 'The region of the AWS clients, and of a new simulated account. Must look like `us-east-1` or `eu-west-3`.'),
  stateDir: withDefault(text(), '.release', 'Where the ledgers, the snapshots, the journals and the locks are kept with the file backend (see `state`), and in any case the simulated account (unless `simulated.dir` says otherwise) and the logs of `rollout --detach`. Relative to the file\'s directory. It must be a directory (or not exist yet, below one), outside `/proc`, `/sys` and `/dev`; otherwise every command refuses it (`E_CONFIG`, exit 2).'),
  state: withDefault(
    state,
    {backend: 'file'},
    'Where ledgers, leases, releases and journals are kept: `{backend: file}` (the default, in `stateDir`) or `{backend: dynamodb, table: NAME}`, shared by a team and its CI jobs; see State.',
  ),
  notify: notifyEntry,
  environments: environmentsEntry,
  ephemeral: ephemeralEntry,
  simulated: withDefault(simulated, {}, 'Settings of the simulated account. Read only when `account: simulated`, but checked always.'),
  targets: key(
    named(targetName(), target, {
      atLeastOne: {what: 'at least one target', hint: 'Add a target under targets, e.g. "web:" with strategy, template and trafficSources.'},
    }),
    'The targets to release, at least one. Each key is a target name: a lowercase letter, then up to 31 lowercase letters, digits or `-`. `release status` lists targets in this order.',
  ),
}

type Written = v.InferOutput<ReturnType<typeof section<typeof releaseEntries>>>

/** On the simulated account a declared custom document is the whole truth: its parameters are checked now. */
const simulatedDocuments = refine<Written>((config, tell) => {
  if (config.account !== 'simulated') return
  for (const [name, t] of Object.entries<TargetOutput>(config.targets)) {
    if (t.strategy !== 'incremental') continue
    const {document, versionParameter, parameters} = t.change
    const declared = Object.hasOwn(config.simulated.documents, document) ? config.simulated.documents[document] : undefined
    if ((SHELL_DOCUMENTS as readonly string[]).includes(document) || declared === undefined) continue
    const known = declared.parameters
    const list = known.length > 0 ? known.join(', ') : '(none)'
    const check = (parameter: string, keys: (string | number)[], at: 'key' | 'value') => {
      if (known.includes(parameter)) return
      const close = suggest(parameter, known)
      tell(
        {
          kind: 'problem',
          at,
          text: `{path}: document ${document} (simulated.documents) has no parameter "${parameter}"; its parameters: ${list}`,
          hint: close ? `Did you mean "${close}"?` : `Use one of its parameters, or add "${parameter}" to simulated.documents.${document}.parameters.`,
        },
        ['targets', name, 'change', ...keys],
      )
    }
    if (versionParameter !== undefined) check(versionParameter, ['versionParameter'], 'value')
    for (const p of Object.keys(parameters ?? {})) check(p, ['parameters', p], 'key')
  }
})

const environmentRules = refine<Written>((config, tell) => checkEnvironments(config, tell))

const ephemeralRules = refine<Written>((config, tell) => checkEphemeral(config, tell))

export const releaseYml = v.pipe(section(releaseEntries), simulatedDocuments, environmentRules, ephemeralRules)

export type ReleaseYml = v.InferOutput<typeof releaseYml>
