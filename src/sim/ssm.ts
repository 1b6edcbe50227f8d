import type {DescribeDocumentRequest, DescribeDocumentResult} from '@aws-sdk/client-ssm'
import {ASSOCIATIONS} from './associations.js'
import {describeDocumentShape} from './documents.js'
import {ssmErrors as errors} from './errors.js'
import {MANAGED_INSTANCES} from './managed.js'
import type {Model} from './model.js'
import {PARAMETER_STORE} from './parameters.js'
import {RUN_COMMAND} from './runcommand.js'
import {serviceHandler, type CommandHandler} from './dispatch.js'

/** The Systems Manager API of the simulated account: Run Command, State Manager associations, documents, managed instances, Parameter Store. */

/** Documents are older than any account: one fixed creation date keeps answers stable. */
const DOCUMENTS_CREATED = Date.UTC(2020, 0, 1)

function describeDocument(model: Model, input: DescribeDocumentRequest): DescribeDocumentResult {
  const spec = model.documents.get(input.Name)
  if (!spec) throw errors.invalidDocument(`Document ${input.Name ?? 'null'} does not exist`)
  return {Document: describeDocumentShape(spec, DOCUMENTS_CREATED)}
}

const COMMANDS: Record<string, CommandHandler> = {
  ...RUN_COMMAND,
  ...ASSOCIATIONS,
  DescribeDocument: describeDocument,
  ...MANAGED_INSTANCES,
  ...PARAMETER_STORE,
}

export const handleSsm = serviceHandler('ssm', COMMANDS)
