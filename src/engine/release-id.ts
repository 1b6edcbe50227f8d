/**
 * A release's id, made and read here only: `<target>-<seq>`, with a named environment's name before
 * it (`staging-web-3`), so that the stacks named after it (`release-<id>`) carry the environment. The
 * ledger gives it (begin); the lease, `release plan` and `release ledger rebuild` name it the same way.
 */

/** What a named environment's release ids start with (`staging-`); nothing outside environments. */
export function releaseIdPrefix(config: {environment?: string}): string {
  return config.environment === undefined ? '' : `${config.environment}-`
}

/** The id of release `seq` of `target`, under an environment's prefix (see releaseIdPrefix). */
export function releaseId(prefix: string, target: string, seq: number): string {
  return `${targetIdPrefix(prefix, target)}${seq}`
}

/** Whether `id` names a release of `target` under `prefix` (`staging-web-3` of web in staging). */
export function isReleaseIdOf(prefix: string, target: string, id: string): boolean {
  const start = targetIdPrefix(prefix, target)
  return id.startsWith(start) && /^\d+$/.test(id.slice(start.length))
}

/** The seq a release id ends with (`staging-web-3`: 3), or undefined for what is not a release id. */
export function seqOfReleaseId(id: string): number | undefined {
  const digits = /-(\d+)$/.exec(id)?.[1]
  return digits === undefined ? undefined : Number(digits)
}

/** The highest seq among releases (0 when none): the next release is one past it, gaps included. */
export function highestSeq(releases: readonly {seq: number}[]): number {
  return releases.reduce((max, release) => Math.max(max, release.seq), 0)
}

function targetIdPrefix(prefix: string, target: string): string {
  return `${prefix}${target}-`
}
