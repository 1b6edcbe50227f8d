/** The questions of `release init` on a terminal: which groups, and for each its name and strategy. */
import {createInterface} from 'node:readline/promises'
import type {Discovered, InitTarget} from '../../app/init.js'
import {cli} from '../../util/cli-context.js'

export async function ask(found: Discovered, nameFor: (group: string) => string): Promise<InitTarget[]> {
  const rl = createInterface({input: cli().stdin, output: cli().stderr as NodeJS.WritableStream})
  try {
    if (found.groups.length === 0) return []
    const picked = (await rl.question(`Groups to release (numbers, e.g. 1,3) [1-${found.groups.length}]: `))
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((n) => found.groups[Number(n) - 1])
      .filter((g) => g !== undefined)
    const targets: InitTarget[] = []
    for (const group of picked) {
      const name = (await rl.question(`Target name for ${group.name} [${nameFor(group.name)}]: `)).trim() || nameFor(group.name)
      const answer = (await rl.question('Strategy: incremental (change its instances in place), immutable or auto [incremental]: ')).trim()
      const strategy = (['immutable', 'incremental', 'auto'].includes(answer) ? answer : 'incremental') as InitTarget['strategy']
      const template = strategy === 'incremental' ? '' : (await rl.question('CloudFormation template, relative to release.yml: ')).trim()
      targets.push({name, group: group.name, strategy, ...(template ? {template} : {})})
    }
    return targets
  } finally {
    rl.close()
  }
}
