/**
 * An on-demand environment seen as an environment of release.yml: its source's settings, with the
 * `ephemeral:` section over them, its own region, and only the targets it was made with. An immutable
 * target of a copy serves no load balancer unless `ephemeral.targets.<t>.trafficSources` names one:
 * a copy never joins its source's traffic.
 */
import type {EnvironmentConfig, ReleaseConfig} from '../../config/types.js'
import type {OnDemandEnvironment} from './record.js'

export function copyEnvironment(whole: ReleaseConfig, record: OnDemandEnvironment): EnvironmentConfig {
  const source = whole.environments?.[record.source]
  const targets: EnvironmentConfig['targets'] = {}
  const only: string[] = []
  for (const made of record.targets) {
    const target = whole.targets[made.name]
    if (target === undefined) continue
    const from = source?.targets[made.name] ?? {}
    const over = whole.ephemeral?.targets[made.name] ?? {}
    const fleet = record.fleets?.[made.name]
    // An incremental copy exists once its template's group does; until then it has no fleet to change.
    if (target.strategy === 'incremental' && fleet === undefined) continue
    only.push(made.name)
    targets[made.name] = {
      parameters: {...from.parameters, ...over.parameters},
      ...(target.strategy === 'immutable' ? {trafficSources: over.trafficSources ?? []} : {fleet: {group: fleet ?? ''}}),
      ...((over.gates ?? from.gates) ? {gates: over.gates ?? from.gates} : {}),
    }
  }
  return {name: record.name, region: record.region, protected: false, default: false, targets, source: record.source, only}
}

/** release.yml with the on-demand environment added, so that forEnvironment can narrow to it. */
export function withCopy(whole: ReleaseConfig, record: OnDemandEnvironment): ReleaseConfig {
  return {...whole, environments: {...whole.environments, [record.name]: copyEnvironment(whole, record)}}
}
