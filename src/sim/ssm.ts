import type {DescribeDocumentRequest, DescribeDocumentResult} from '@aws-sdk/client-ssm'
import {describeDocumentShape} from './documents.js'
import {ssmErrors as errors, UnsupportedCommandError} from './errors.js'
import {MANAGED_INSTANCES} from './managed.js'
import type {Model} from './model.js'
import {PARAMETER_STORE} from './parameters.js'
import {RUN_COMMAND} from './runcommand.js'

/** The Systems Manager API of the simulated account: Run Command, documents, managed instances, Parameter Store. */

/** Documents are older than any account: one fixed creation date keeps answers stable. */
const DOCUMENTS_CREATED = Date.UTC(2020, 0, 1)

function describeDocument(model: Model, input: DescribeDocumentRequest): DescribeDocumentResult {
  const spec = model.documents.get(input.Name)
  if (!spec) throw errors.invalidDocument(`Document ${input.Name ?? 'null'} does not exist`)
  return {Document: describeDocumentShape(spec, DOCUMENTS_CREATED)}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const COMMANDS: Record<string, (model: Model, input: any) => object> = {
  ...RUN_COMMAND,
  DescribeDocument: describeDocument,
  ...MANAGED_INSTANCES,
  ...PARAMETER_STORE,
}

export function handleSsm(model: Model, command: string, input: unknown): object {
  const handler = COMMANDS[command]
  if (!handler) throw new UnsupportedCommandError('ssm', command, Object.keys(COMMANDS))
  return handler(model, input ?? {})
}
