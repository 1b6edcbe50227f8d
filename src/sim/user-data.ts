/**
 * The one thing the simulated account reads from a launch template's user data: the Parameter Store
 * parameter the boot script installs the version from (`aws ssm get-parameter --name ...`), as
 * examples/quickstart/db.yml's script does, so that an instance a stack's group launches after a
 * release boots what is live, as the real script makes it. The name is either literal
 * (`--name /release/prod-db/version`) or built from the instance's `release:target` tag, which the
 * stack's tags give the group and its instances (`--name "/release/$target/version"` in a script that
 * reads that tag with describe-tags): then the one shell variable in it is that tag's value. Any
 * other script is not understood and the instance boots its stack's version.
 */
const GET_PARAMETER = /ssm\s+get-parameter\s+--name\s+(?:"([^"]+)"|'([^']+)'|(\S+))/
const VARIABLE = /\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/

export function userDataParameter(userData: unknown, tags: {Key: string; Value: string}[]): string | undefined {
  if (typeof userData !== 'string') return undefined
  const script = Buffer.from(userData, 'base64').toString('utf8')
  const match = GET_PARAMETER.exec(script)
  const name = match?.[1] ?? match?.[2] ?? match?.[3]
  if (name === undefined || !name.startsWith('/')) return undefined
  if (!VARIABLE.test(name)) return name
  const target = tags.find((tag) => tag.Key === 'release:target')?.Value
  if (target === undefined || !script.includes('release:target')) return undefined
  return name.replace(VARIABLE, target)
}
