import type {DocumentParameter} from '@aws-sdk/client-ssm'

/**
 * A declared parameter, with the values SSM allows for it (DescribeDocument does not show them). Its
 * Type may be StringMap or Boolean, which DescribeDocument answers though the SDK's enum lists only
 * String and StringList.
 */
export type SimParameter = Omit<DocumentParameter, 'Name' | 'Type'> & {Name: string; Type: string; AllowedValues?: string[]}

/**
 * Two of Amazon's own Command documents, with the parameters AWS declares for them (names, types,
 * defaults, allowed values): enough for the simulated account to validate a SendCommand or an
 * association the way SSM does (InvalidParameters), and to know the version each one installs.
 *
 * - AWS-ApplyChefRecipes runs a Chef run list from cookbooks fetched from S3 or GitHub (SourceInfo).
 *   The version it installs is the one its cookbook source's path carries
 *   (`.../cookbooks/1.4.0/app.tar.gz`, `.../app-1.4.0.tar.gz`).
 * - AWS-ConfigureAWSPackage installs or removes a Distributor package: `version` is the version it
 *   installs (`Install` only; `Uninstall` sets none).
 */

const COMPLIANCE_SEVERITY = ['Critical', 'High', 'Medium', 'Low', 'Informational', 'Unspecified', 'None']

export const APPLY_CHEF_RECIPES: SimParameter[] = [
  {Name: 'SourceType', Type: 'String', Description: '(Required) Specify the source type: GitHub or S3.', AllowedValues: ['GitHub', 'S3']},
  {Name: 'SourceInfo', Type: 'StringMap', Description: '(Required) Specify the information required to access the cookbooks, e.g. {"path":"https://s3.amazonaws.com/bucket/cookbooks.tar.gz"}.'},
  {Name: 'RunList', Type: 'String', Description: '(Required) The run list: recipes and roles, e.g. recipe[app::default].'},
  {Name: 'JsonAttributesSources', Type: 'StringMap', Description: '(Optional) The source of a JSON attributes file.', DefaultValue: '{}'},
  {Name: 'JsonAttributesContent', Type: 'String', Description: '(Optional) JSON attributes.', DefaultValue: '{}'},
  {Name: 'ChefClientVersion', Type: 'String', Description: '(Optional) The Chef Infra Client version to install.', DefaultValue: 'None'},
  {Name: 'ChefClientArguments', Type: 'String', Description: '(Optional) Additional arguments for chef-client.', DefaultValue: ''},
  {Name: 'WhyRun', Type: 'Boolean', Description: '(Optional) Simulate the run without changing the instance.', DefaultValue: 'false'},
  {Name: 'ComplianceSeverity', Type: 'String', Description: '(Optional) Severity of the compliance report.', DefaultValue: 'None', AllowedValues: COMPLIANCE_SEVERITY},
  {Name: 'ComplianceType', Type: 'String', Description: '(Optional) Compliance type of the report.', DefaultValue: 'Custom:Chef'},
  {Name: 'ComplianceReportBucket', Type: 'String', Description: '(Optional) S3 bucket for the Chef report.', DefaultValue: 'None'},
]

export const CONFIGURE_AWS_PACKAGE: SimParameter[] = [
  {Name: 'action', Type: 'String', Description: '(Required) Specify whether or not to install or uninstall the package.', AllowedValues: ['Install', 'Uninstall']},
  {
    Name: 'installationType',
    Type: 'String',
    Description: '(Optional) Specify the type of installation.',
    DefaultValue: 'Uninstall and reinstall',
    AllowedValues: ['Uninstall and reinstall', 'In-place update'],
  },
  {Name: 'name', Type: 'String', Description: '(Required) The package to install/uninstall.'},
  {Name: 'version', Type: 'String', Description: '(Optional) The version of the package to install or uninstall.', DefaultValue: ''},
  {Name: 'additionalArguments', Type: 'StringMap', Description: '(Optional) Additional parameters to provide to your install, uninstall, or update scripts.', DefaultValue: '{}'},
]

const ARCHIVE = /\.(?:tar\.gz|tgz|zip|tar)$/
const VERSION = /^v?\d+(?:[._+-][0-9A-Za-z]+)*$/

/** The version a cookbook source's path carries: a path segment that is a version, or the archive's `name-<version>` suffix. */
export function versionInPath(path: string): string | undefined {
  const segments = path.replace(/[?#][\s\S]*$/, '').split('/').filter((s) => s !== '')
  for (const segment of segments.reverse()) {
    const name = segment.replace(ARCHIVE, '')
    if (VERSION.test(name) && /\d/.test(name)) return name
    const suffix = /[-_](v?\d+(?:[._+-][0-9A-Za-z]+)*)$/.exec(name)
    if (suffix) return suffix[1]
  }
  return undefined
}

/** The version AWS-ApplyChefRecipes installs: read from SourceInfo's path (a JSON object, as SSM takes a StringMap). */
export function chefVersion(parameters: Record<string, string[]>): string | undefined {
  const info = parameters['SourceInfo']?.[0]
  if (info === undefined) return undefined
  try {
    const parsed = JSON.parse(info) as Record<string, unknown>
    const where = [parsed['path'], parsed['repository'], parsed['getOptions']].find((v): v is string => typeof v === 'string')
    return where === undefined ? undefined : versionInPath(where)
  } catch {
    return undefined
  }
}

export function packageVersion(parameters: Record<string, string[]>): string | undefined {
  if (parameters['action']?.[0] !== 'Install') return undefined
  const version = parameters['version']?.[0]
  return version === undefined || version === '' ? undefined : version
}
