import type {
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  GetParameterRequest,
  GetParameterResult,
  ParameterType,
  PutParameterRequest,
  PutParameterResult,
} from '@aws-sdk/client-ssm'
import {ssmErrors as errors} from './errors.js'
import type {Model} from './model.js'
import {page} from './paging.js'
import type {ParameterRecord} from './types.js'

/**
 * SSM Parameter Store, plain-text parameters (String and StringList; SecureString needs KMS, which the
 * account does not have): PutParameter, GetParameter (`name:version` selects a version),
 * GetParameterHistory (oldest first, paged). Each write is a new version; the last 100 are kept.
 */

const KEPT_VERSIONS = 100
const MAX_VALUE = 4096
const NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/
const TYPES = new Set(['String', 'StringList'])
const USER = 'arn:aws:iam::{account}:user/release-sim'

function checkName(name: string | undefined): string {
  if (!name) throw errors.validation('Parameter name: must not be empty.')
  if (!NAME.test(name)) {
    throw errors.validation(
      `Parameter name: can contain only letters, digits and _.-/ (got ${JSON.stringify(name.slice(0, 80))}).`,
    )
  }
  if (name.includes('/') && !name.startsWith('/')) throw errors.validation('Parameter name must be a fully qualified name.')
  if (/^\/?(aws|ssm)/i.test(name)) throw errors.validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).')
  if (name.split('/').filter((part) => part !== '').length > 15) {
    throw errors.validation('Parameter name: a parameter name can have at most 15 levels of hierarchy.')
  }
  return name
}

function arn(model: Model, name: string): string {
  return `arn:aws:ssm:${model.state.region}:${model.state.accountId}:parameter/${name.replace(/^\//, '')}`
}

function putParameter(model: Model, input: PutParameterRequest): PutParameterResult {
  const name = checkName(input.Name)
  const value = input.Value
  if (value === undefined || value === '') throw errors.validation('Parameter value: must not be empty.')
  if (value.length > MAX_VALUE) {
    throw errors.validation(`Standard tier parameters support a maximum parameter value of ${MAX_VALUE} characters.`)
  }
  if (input.Type !== undefined && !TYPES.has(input.Type)) {
    throw errors.validation(`Parameter type ${input.Type} is not supported by the simulated account (String or StringList).`)
  }
  const existing = model.state.parameters[name]
  if (existing && input.Overwrite !== true) throw errors.parameterAlreadyExists()
  const type = input.Type ?? existing?.type
  if (type === undefined) throw errors.validation('A parameter type is required when you create a parameter.')

  const record: ParameterRecord = existing ?? {name, type, version: 0, history: []}
  record.type = type
  record.version += 1
  const description = input.Description ?? record.history.at(-1)?.description
  record.history.push({version: record.version, value, modifiedAt: model.now, ...(description !== undefined ? {description} : {})})
  if (record.history.length > KEPT_VERSIONS) record.history.splice(0, record.history.length - KEPT_VERSIONS)
  model.state.parameters[name] = record
  return {Version: record.version, Tier: 'Standard'}
}

function requireParameter(model: Model, name: string | undefined): ParameterRecord {
  const parameter = name === undefined ? undefined : model.state.parameters[name]
  if (!parameter) throw errors.parameterNotFound(name ?? 'null')
  return parameter
}

function getParameter(model: Model, input: GetParameterRequest): GetParameterResult {
  const [name, selector] = (input.Name ?? '').split(':') as [string, string | undefined]
  const parameter = requireParameter(model, name)
  const entry = selector === undefined ? parameter.history.at(-1) : parameter.history.find((e) => String(e.version) === selector)
  if (!entry) throw errors.parameterVersionNotFound(selector ?? '')
  return {
    Parameter: {
      Name: parameter.name,
      Type: parameter.type as ParameterType,
      Value: entry.value,
      Version: entry.version,
      ...(selector !== undefined ? {Selector: `:${selector}`} : {}),
      LastModifiedDate: new Date(entry.modifiedAt),
      ARN: arn(model, parameter.name),
      DataType: 'text',
    },
  }
}

function getParameterHistory(model: Model, input: GetParameterHistoryRequest): GetParameterHistoryResult {
  const parameter = requireParameter(model, input.Name)
  const requested = input.MaxResults
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1 || requested > 50)) {
    throw errors.validation(
      `1 validation error detected: Value '${requested}' at 'maxResults' failed to satisfy constraint: ` +
        'Member must have value less than or equal to 50 and greater than or equal to 1',
    )
  }
  const {items, nextToken} = page(parameter.history, input.NextToken, requested ?? 50, errors.invalidNextToken)
  return {
    Parameters: items.map((entry) => ({
      Name: parameter.name,
      Type: parameter.type as ParameterType,
      LastModifiedDate: new Date(entry.modifiedAt),
      LastModifiedUser: USER.replace('{account}', model.state.accountId),
      Description: entry.description,
      Value: entry.value,
      Version: entry.version,
      Labels: [],
      Tier: 'Standard',
      Policies: [],
      DataType: 'text',
    })),
    NextToken: nextToken,
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PARAMETER_STORE: Record<string, (model: Model, input: any) => object> = {
  PutParameter: putParameter,
  GetParameter: getParameter,
  GetParameterHistory: getParameterHistory,
}
