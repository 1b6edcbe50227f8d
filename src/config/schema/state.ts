/** `state:` — where ledgers, leases, releases and journals are kept: a directory, or a DynamoDB table shared by a team. */
import * as v from 'valibot'
import {refine} from './context.js'
import {oneOf, optionalKey, section, text, withDefault} from './fields.js'
import {REGION} from './names.js'
import {say} from './say.js'

/** A DynamoDB table name as AWS accepts it: 3 to 255 of letters, digits, `_`, `-`, `.`. */
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/

const tableName = v.pipe(
  text(),
  v.check((t) => TABLE.test(t), say({kind: 'expected', what: 'a DynamoDB table name (3 to 255 letters, digits, _, - or .)', hint: 'Set {key} to a table name such as release-state.'})),
)

const endpoint = v.pipe(
  text(),
  v.check((e) => /^https?:\/\/[^\s/]+/.test(e), say({kind: 'expected', what: 'a URL such as http://127.0.0.1:4567', hint: 'Set {key} to the endpoint URL, with http:// or https://.'})),
)

const region = v.pipe(
  text(),
  v.check((r) => REGION.test(r), say({kind: 'expected', what: 'an AWS region such as us-east-1 or eu-west-3', hint: 'Set {key} to the region code, e.g. us-east-1.'})),
)

type StateWritten = {backend: 'file' | 'dynamodb'; table?: string; region?: string; endpoint?: string}

const tableRequired = refine<StateWritten>((state, tell) => {
  if (state.backend === 'dynamodb' && state.table === undefined) {
    tell({kind: 'missing', key: 'table', what: 'the DynamoDB table that holds the state'})
  }
})

export const state = v.pipe(
  section({
    backend: withDefault(
      oneOf(['file', 'dynamodb']),
      'file',
      '`file`: the state is kept in `stateDir`, right for one person on one disk. `dynamodb`: in one DynamoDB table shared by every person and CI job of the team (create it with `release state init`).',
    ),
    table: optionalKey(tableName, 'The DynamoDB table name; required with `backend: dynamodb`.'),
    region: optionalKey(region, "The table's region (default: the top-level `region`)."),
    endpoint: optionalKey(
      endpoint,
      'The DynamoDB endpoint URL, e.g. `http://127.0.0.1:4567` for a local dynalite. Without it, `AWS_ENDPOINT_URL_DYNAMODB` or `AWS_ENDPOINT_URL` apply as the SDK defines them.',
    ),
  }),
  tableRequired,
)

export type StateOutput = v.InferOutput<typeof state>
