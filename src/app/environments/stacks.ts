/**
 * The stacks an environment made: each carries the environment in its name and in its
 * release:target tag (`<env>-<target>`), so that `env destroy` finds every one of them, even those a
 * crash left behind before the ledger heard of them.
 */
import {TAG} from '../../../strategies/immutable/deps.js'
import {environmentResourceName} from '../../config/environments.js'
import {parseTemplate} from '../../template/index.js'
import type {LeftBehind, StackOfEnvironment} from '../../../machines/environment.js'
import type {StackPort} from '../../ports/stacks.js'

/** The stack of an incremental target's copy: its template, made once by `env create`. */
export function baseStackName(environment: string, target: string): string {
  return `release-${environment}-${target}-base`
}

export async function stacksOf(stacks: StackPort, environment: string, targets: string[]): Promise<StackOfEnvironment[]> {
  const found: StackOfEnvironment[] = []
  for (const target of targets) {
    const own = new RegExp(`^release-${environment}-${target}-(\\d+|base)$`)
    for (const stack of await stacks.listStacksByTag(TAG.target, environmentResourceName(environment, target))) {
      if (own.test(stack.name)) found.push({name: stack.name, target})
    }
  }
  return found
}

/** What CloudFormation will keep when these stacks are deleted: resources whose DeletionPolicy retains or snapshots them. */
export async function leftBehindBy(stacks: StackPort, found: StackOfEnvironment[], templateOf: (target: string) => string | undefined): Promise<LeftBehind[]> {
  const kept: LeftBehind[] = []
  for (const stack of found) {
    const body = templateOf(stack.target)
    if (body === undefined) continue
    const resources = parseTemplate(body).Resources ?? {}
    const policies = Object.fromEntries(Object.entries(resources).flatMap(([id, r]) => (r.DeletionPolicy && r.DeletionPolicy !== 'Delete' ? [[id, r.DeletionPolicy]] : [])))
    if (Object.keys(policies).length === 0) continue
    for (const r of await stacks.listResources(stack.name)) {
      const policy = policies[r.logicalId]
      if (policy !== undefined && r.physicalId !== undefined) kept.push({stack: stack.name, logicalId: r.logicalId, type: r.type, physicalId: r.physicalId, policy})
    }
  }
  return kept
}
