import {RegexTimeout, testWithin} from '../util/bounded-regex.js'
import {TemplateError, type CfnParameter, type CfnTemplate} from './types.js'

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * Applies defaults and checks every value as CloudFormation does on CreateStack/UpdateStack, so the
 * same input is refused with the same message. Returns every parameter's resolved string value.
 */
export function resolveParameters(template: CfnTemplate, given: Record<string, string>): Record<string, string> {
  const declared = template.Parameters
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(declared, key))
  if (unknown.length > 0) throw new TemplateError(`Parameters: [${unknown.join(', ')}] do not exist in the template`)

  const resolved: Record<string, string> = {}
  const missing: string[] = []
  for (const [key, parameter] of Object.entries(declared)) {
    const value = Object.hasOwn(given, key) ? given[key] : parameter.Default
    if (value === undefined) missing.push(key)
    else resolved[key] = String(value)
  }
  if (missing.length > 0) throw new TemplateError(`Parameters: [${missing.join(', ')}] must have values`)

  for (const [key, value] of Object.entries(resolved)) {
    const parameter = declared[key]
    if (parameter) checkValue(key, parameter, value)
  }
  return resolved
}

function checkValue(key: string, parameter: CfnParameter, value: string): void {
  const isList = parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<')
  // Constraints apply to each member of a list parameter, as CloudFormation does.
  const members = isList ? value.split(',').map((member) => member.trim()) : [value]
  const isNumber = parameter.Type === 'Number' || parameter.Type === 'List<Number>'
  if (isNumber && !members.every((member) => NUMBER.test(member))) {
    throw new TemplateError(`Parameter '${key}' must be a number`)
  }

  // A template's ConstraintDescription replaces the generic text for any constraint.
  const violated = (generic: string): never => {
    const description = parameter.ConstraintDescription
    throw new TemplateError(description ? `Parameter '${key}' failed to satisfy constraint: ${description}` : `Parameter '${key}' ${generic}`)
  }
  if (isNumber) {
    const numbers = members.map(Number)
    const {MinValue: min, MaxValue: max} = parameter
    if (min !== undefined && numbers.some((n) => n < min)) violated(`must be a number not less than ${min}`)
    if (max !== undefined && numbers.some((n) => n > max)) violated(`must be a number not greater than ${max}`)
  }
  if (parameter.MinLength !== undefined && value.length < parameter.MinLength) {
    violated(`must contain at least ${parameter.MinLength} characters`)
  }
  if (parameter.MaxLength !== undefined && value.length > parameter.MaxLength) {
    violated(`must contain at most ${parameter.MaxLength} characters`)
  }
  const allowed = parameter.AllowedValues?.map(String)
  if (allowed && !members.every((member) => allowed.includes(member))) violated('must be one of AllowedValues')
  const allowedPattern = parameter.AllowedPattern
  if (allowedPattern !== undefined) {
    const pattern = wholeMatch(key, allowedPattern)
    if (!members.every((member) => matchesBounded(key, pattern, allowedPattern, member))) violated(`must match pattern ${allowedPattern}`)
  }
}

/** A pattern that backtracks without end is refused as a template error instead of hanging the CLI. */
function matchesBounded(key: string, regex: RegExp, pattern: string, value: string): boolean {
  try {
    return testWithin(regex, value)
  } catch (error) {
    if (!(error instanceof RegexTimeout)) throw error
    throw new TemplateError(
      `Template format error: AllowedPattern ${pattern} of parameter '${key}' takes more than ${error.limitMs} ms to match a value of ${value.length} characters (nested repetition such as (a+)+ backtracks); simplify the pattern`,
    )
  }
}

/** CloudFormation matches AllowedPattern against the whole value (Java's matches()), not a substring. */
function wholeMatch(key: string, pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`)
  } catch {
    throw new TemplateError(`Template format error: AllowedPattern ${pattern} of parameter '${key}' is not a valid regular expression`)
  }
}

/** What ValidateTemplate reports and config validation needs: parameters and resource types. */
export function summarizeTemplate(template: CfnTemplate): {
  parameters: {key: string; hasDefault: boolean; description?: string}[]
  resourceTypes: Record<string, string>
} {
  const parameters = Object.entries(template.Parameters).map(([key, parameter]) => ({
    key,
    hasDefault: parameter.Default !== undefined,
    ...(parameter.Description !== undefined ? {description: parameter.Description} : {}),
  }))
  const resourceTypes = Object.fromEntries(Object.entries(template.Resources).map(([id, resource]) => [id, resource.Type]))
  return {parameters, resourceTypes}
}
