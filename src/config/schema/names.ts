/** Forms of names and identifiers release.yml refers to, shared by several sections. */
import * as v from 'valibot'
import {validateVersion} from '../version.js'
import {isUserError} from '../../errors.js'
import {list, matching, text, unique} from './fields.js'
import {say} from './say.js'

export const TARGET_NAME = /^[a-z][a-z0-9-]{0,31}$/
/** arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits> */
export const TARGET_GROUP_ARN =
  /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:targetgroup\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?\/[0-9a-f]{16}$/
export const TARGET_GROUP_ARN_FORM = 'arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex digits>'
export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/
/** An SSM document name (3 to 128 of A-Z a-z 0-9 _ . -), or the ARN of a document shared from another account. */
export const DOCUMENT_NAME = /^(?:arn:aws(?:-[a-z]+)*:ssm:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:document\/)?[A-Za-z0-9_.-]{3,128}$/
/** Documents whose commands are shell lines given in release.yml (apply/verify/current). */
export const SHELL_DOCUMENTS = ['AWS-RunShellScript', 'AWS-RunPowerShellScript'] as const

export function targetName() {
  return v.pipe(
    v.string(),
    v.rawCheck(({dataset, addIssue}) => {
      if (!dataset.typed || TARGET_NAME.test(dataset.value)) return
      const name = dataset.value
      const better = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 32) || 'web'
      addIssue({
        message: say({
          kind: 'problem',
          at: 'key',
          text: `target name "${name}" is not valid; expected ^[a-z][a-z0-9-]{0,31}$ (a lowercase letter, then up to 31 lowercase letters, digits or -)`,
          hint: `Rename the target, e.g. "${better}".`,
        }),
      })
    }),
  )
}

/** The name of an Auto Scaling group, as a key (simulated.fleets) or a value (fleet.group). */
export function groupName(at: 'key' | 'value') {
  return v.pipe(
    v.string(),
    v.rawCheck(({dataset, addIssue}) => {
      if (!dataset.typed) return
      const name = dataset.value
      if (name.length > 255 || name.trim() === '') {
        addIssue({
          message: say({
            kind: 'problem',
            at,
            text: `{path}: "${name.slice(0, 40)}" is not an Auto Scaling group name (1 to 255 characters)`,
            hint: `Use the group's name as Auto Scaling shows it.`,
          }),
        })
      }
    }),
  )
}

export function documentName(at: 'key' | 'value') {
  return v.pipe(
    v.string(),
    v.rawCheck(({dataset, addIssue}) => {
      if (!dataset.typed || DOCUMENT_NAME.test(dataset.value)) return
      addIssue({
        message: say({
          kind: 'problem',
          at,
          text: `{path}: "${dataset.value}" is not an SSM document name; expected 3 to 128 letters, digits, _ . or -, or a document ARN`,
          hint: `Use the name SSM shows for the document, e.g. AWS-RunShellScript or MyCompany-InstallApp.`,
        }),
      })
    }),
  )
}

export function targetGroupArn(at: 'key' | 'value' = 'value') {
  return matching(TARGET_GROUP_ARN, (arn) => ({
    kind: 'problem',
    at,
    text: `{path}: expected an ELB target group ARN (${TARGET_GROUP_ARN_FORM}), got ${JSON.stringify(arn)}`,
    hint: `Copy the target group ARN from the console or: aws elbv2 describe-target-groups --query 'TargetGroups[].TargetGroupArn'.`,
  }))
}

/** A version written in release.yml: a string (1.0 unquoted is the number 1) that validateVersion accepts. */
export function version() {
  return v.pipe(
    v.union([v.string(), v.number()], say({kind: 'expected', what: 'a non-empty string', hint: 'Set {key} to a text value.'})),
    v.rawCheck(({dataset, addIssue}) => {
      if (!dataset.typed) return
      const value = dataset.value
      if (typeof value === 'number') {
        addIssue({message: say({kind: 'expected', what: 'a version as a string', hint: `Quote the version, e.g. {key}: '{source}' (unquoted, YAML reads it as a number).`})})
        return
      }
      if (value.trim() === '') {
        addIssue({message: say({kind: 'expected', what: 'a non-empty string', hint: 'Set {key} to a text value.'})})
        return
      }
      try {
        validateVersion(value)
      } catch (error) {
        if (!isUserError(error)) throw error
        addIssue({message: say({kind: 'problem', at: 'value', text: `{path}: ${error.message}`, hint: error.hint})})
      }
    }),
    v.transform((value) => String(value)),
  )
}

/** An environment name: it becomes part of stack names, Parameter Store names and state keys. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,15}$/

export function environmentName(at: 'key' | 'value') {
  return v.pipe(
    v.string(),
    v.rawCheck(({dataset, addIssue}) => {
      if (!dataset.typed || ENVIRONMENT_NAME.test(dataset.value)) return
      const better = dataset.value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 16) || 'staging'
      addIssue({
        message: say({
          kind: 'problem',
          at,
          text: `environment name "${dataset.value}" is not valid; expected ^[a-z][a-z0-9-]{0,15}$ (a lowercase letter, then up to 15 lowercase letters, digits or -: it becomes part of stack names)`,
          hint: `Rename the environment, e.g. "${better}".`,
        }),
      })
    }),
  )
}

/** The environments a target exists in (`environments: [dev]`). */
export function targetEnvironments() {
  return v.pipe(list(environmentName('value'), {what: 'environment names', example: '[dev, staging]', nonEmpty: true}), unique((e) => `environment ${e}`))
}

export {text}
