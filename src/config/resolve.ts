/**
 * The schema's output turned into the ReleaseConfig the rest of the app consumes: paths made
 * absolute, durations in ms under their old names, numbers written for string settings kept as
 * written (a template parameter 1.10 stays "1.10"), and each target's strategy choice.
 */
import path from 'node:path'
import {isScalar} from 'yaml'
import {chooseStrategy} from '../../strategies/choose.js'
import type {SchemaContext} from './schema/context.js'
import {destinations} from './schema/notify.js'
import {SHELL_DOCUMENTS} from './schema/names.js'
import type {ReleaseYml} from './schema/release.js'
import type {StateOutput} from './schema/state.js'
import type {ImmutableOutput, IncrementalOutput, TargetOutput} from './schema/target.js'
import type {Key, YamlSource} from './source.js'
import type {EnvironmentOutput} from './schema/environments.js'
import {parseTtl} from './ttl.js'
import type {EnvironmentConfig, ImmutableTargetConfig, IncrementalTargetConfig, ReleaseConfig, StateConfig, StrategyChoice, TargetConfig} from './types.js'

export function resolveConfig(written: ReleaseYml, file: string, context: SchemaContext, source: YamlSource): ReleaseConfig {
  const dir = path.dirname(file)
  const asWritten = (value: string | number, keys: Key[]): string => {
    if (typeof value === 'string') return value
    const node = source.spot(keys)?.node
    return node && isScalar(node) && node.source !== undefined ? node.source : String(value)
  }
  const targets: Record<string, TargetConfig> = {}
  for (const [name, t] of Object.entries<TargetOutput>(written.targets)) {
    const at = ['targets', name]
    const line = source.spot(at)?.keyLine ?? 1
    const loaded = t.template === undefined ? undefined : context.templates.get(t.template)
    const verdict = chooseStrategy(loaded?.template.Resources ?? {})
    const choice: StrategyChoice =
      t.declared === 'auto'
        ? {declared: 'auto', strategy: verdict.strategy, reason: verdict.reason, durable: verdict.durable}
        : {declared: t.declared, strategy: t.declared, reason: 'declared in release.yml', durable: verdict.durable}
    targets[name] = t.strategy === 'immutable' ? immutable(name, t, line, choice) : incremental(name, t, line, choice)
    function immutable(name: string, t: ImmutableOutput, line: number, choice: StrategyChoice): ImmutableTargetConfig {
      // The schema read the template of every immutable target (and refused the config without it).
      if (!loaded) throw new Error(`target ${name}: its template ${t.template} was not read with release.yml`)
      const parameters = Object.fromEntries(Object.entries(t.parameters).map(([p, value]) => [p, asWritten(value, [...at, 'parameters', p])]))
      return {
        name,
        strategy: 'immutable',
        templatePath: loaded.path,
        templateBody: loaded.body,
        versionParameter: t.versionParameter,
        parameters,
        trafficSources: t.trafficSources,
        retain: t.retain,
        bakeMs: t.bake,
        keepWarmMs: t.keepWarm,
        ...(t.verify ? {verify: {commands: t.verify.commands}} : {}),
        ...(t.current ? {current: t.current} : {}),
        timeouts: {
          provisionMs: t.timeouts.provision,
          capacityMs: t.timeouts.capacity,
          verifyMs: t.timeouts.verify,
          shiftMs: t.timeouts.shift,
          retireMs: t.timeouts.retire,
        },
        line,
        allowDurableReplacement: t.allowDurableReplacement,
        gates: [...new Set(t.gates)],
        alarms: t.alarms,
        drift: t.drift,
        // The top-level list first: environment-signals.ts takes the target's own as what follows it.
        notify: [...destinations(written.notify), ...destinations(t.notify)],
        choice,
        ...(t.environments ? {environments: t.environments} : {}),
      }
    }
    function incremental(name: string, t: IncrementalOutput, line: number, choice: StrategyChoice): IncrementalTargetConfig {
      const c = t.change
      const shell = (SHELL_DOCUMENTS as readonly string[]).includes(c.document)
      const parameters = Object.fromEntries(
        Object.entries(c.parameters ?? {}).map(([p, value]) => [
          p,
          Array.isArray(value) ? value.map((one, i) => asWritten(one, [...at, 'change', 'parameters', p, i])) : [asWritten(value, [...at, 'change', 'parameters', p])],
        ]),
      )
      const fleet =
        t.fleet.group !== undefined
          ? {group: t.fleet.group}
          : {tags: Object.fromEntries(Object.entries(t.fleet.tags ?? {}).map(([k, value]) => [k, asWritten(value, [...at, 'fleet', 'tags', k])]))}
      return {
        name,
        strategy: 'incremental',
        line,
        fleet,
        change: shell
          ? {document: c.document, apply: c.apply ?? [], verify: c.verify ?? [], current: c.current ?? [], parameters: {}}
          : {document: c.document, apply: [], verify: [], current: [], versionParameter: c.versionParameter, parameters},
        maxUnavailable: t.maxUnavailable,
        canary: t.canary,
        maxErrors: t.maxErrors,
        bakeMs: t.bake,
        timeouts: {standbyMs: t.timeouts.standby, applyMs: t.timeouts.apply, verifyMs: t.timeouts.verify, healthMs: t.timeouts.health},
        gates: [...new Set(t.gates)],
        alarms: t.alarms,
        drift: t.drift,
        // The top-level list first: environment-signals.ts takes the target's own as what follows it.
        notify: [...destinations(written.notify), ...destinations(t.notify)],
        ...(loaded ? {templatePath: loaded.path, templateBody: loaded.body} : {}),
        choice,
        ...(t.environments ? {environments: t.environments} : {}),
        ...(t.enforce ? {enforce: {schedule: t.enforce.schedule}} : {}),
      }
    }
  }
  const stateDir = path.resolve(dir, written.stateDir)
  return {
    file,
    dir,
    account: written.account,
    region: written.region,
    stateDir,
    state: stateBackend(written.state, written.region),
    simulated: {...written.simulated, dir: written.simulated.dir === undefined ? path.join(stateDir, 'sim') : path.resolve(dir, written.simulated.dir)},
    targets,
    notify: destinations(written.notify),
    ...(written.environments ? {environments: environments(written.environments)} : {}),
    ...(written.ephemeral
      ? {ephemeral: {ttlMs: parseTtl(written.ephemeral.ttl), targets: environmentTargets(written.ephemeral.targets, ['ephemeral', 'targets']), prices: written.ephemeral.prices}}
      : {}),
  }

  function environmentTargets(written: EnvironmentOutput['targets'], at: Key[]): EnvironmentConfig['targets'] {
    return Object.fromEntries(
      Object.entries(written).map(([t, over]) => [
        t,
        {
          ...(over.parameters ? {parameters: Object.fromEntries(Object.entries(over.parameters).map(([p, value]) => [p, asWritten(value, [...at, t, 'parameters', p])]))} : {}),
          ...(over.fleet
            ? {fleet: over.fleet.group !== undefined ? {group: over.fleet.group} : {tags: Object.fromEntries(Object.entries(over.fleet.tags ?? {}).map(([k, value]) => [k, asWritten(value, [...at, t, 'fleet', 'tags', k])]))}}
            : {}),
          ...(over.gates ? {gates: [...new Set(over.gates)]} : {}),
          ...(over.trafficSources ? {trafficSources: over.trafficSources} : {}),
          ...('alarms' in over && over.alarms ? {alarms: over.alarms} : {}),
          ...('notify' in over && over.notify ? {notify: destinations(over.notify)} : {}),
        },
      ]),
    )
  }

  function environments(envs: Record<string, EnvironmentOutput>): Record<string, EnvironmentConfig> {
    return Object.fromEntries(
      Object.entries(envs).map(([name, e]) => {
        const targets = environmentTargets(e.targets, ['environments', name, 'targets'])
        const signals = {...(e.alarms ? {alarms: e.alarms} : {}), ...(e.notify ? {notify: destinations(e.notify)} : {})}
        return [name, {name, region: e.region ?? written.region, protected: e.protected, default: e.default, targets, ...signals}]
      }),
    )
  }
}

/** The backend the state is kept in; the table's region defaults to the top-level one. */
function stateBackend(state: StateOutput, region: string): StateConfig {
  if (state.backend === 'file') return {backend: 'file'}
  // The schema refuses dynamodb without a table (tableRequired, schema/state.ts).
  if (state.table === undefined) throw new Error('state: backend dynamodb without a table passed the schema')
  return {backend: 'dynamodb', table: state.table, region: state.region ?? region, ...(state.endpoint !== undefined ? {endpoint: state.endpoint} : {})}
}
