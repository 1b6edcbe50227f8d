import {groupInstances} from './instances.js'
import {isManaged} from './invocations.js'
import {iso, type Model} from './model.js'
import {isLive} from './stacks.js'
import type {AccountView, ReceivedRecord} from './types.js'
import {alarms, evaluateAlarms} from './alarms.js'
import {buses, topics} from './notices.js'

/** What `release sim show` presents: live stacks, groups with their instances, and who serves each traffic source. */
export function buildAccountView(model: Model): AccountView {
  const {state} = model
  const stackNames = new Map(state.stacks.map((stack) => [stack.id, stack.name]))
  // In the order of their stacks (groups made outside a stack last), then by age.
  const stackOrder = new Map(state.stacks.map((stack, index) => [stack.id, index]))
  const rank = (stackId: string | undefined) => (stackId === undefined ? state.stacks.length : (stackOrder.get(stackId) ?? 0))
  const groups = Object.values(state.groups).sort(
    (a, b) => rank(a.stackId) - rank(b.stackId) || a.createdAt - b.createdAt || a.name.localeCompare(b.name),
  )

  const view: AccountView = {
    now: iso(model.now),
    stacks: state.stacks.filter(isLive).map((stack) => ({
      name: stack.name,
      id: stack.id,
      status: stack.status,
      statusReason: stack.statusReason,
      version: stack.parameters['Version'],
      createdAt: iso(stack.createdAt),
      tags: Object.fromEntries(stack.tags.map((tag) => [tag.Key, tag.Value])),
    })),
    groups: groups.map((group) => ({
      name: group.name,
      stackName: group.stackId ? stackNames.get(group.stackId) : undefined,
      desired: group.desired,
      min: group.min,
      max: group.max,
      instances: groupInstances(model, group).map((instance) => ({
        id: instance.id,
        version: instance.version,
        lifecycle: instance.lifecycle,
        health: instance.health,
        ssmAgent: isManaged(instance) ? ('Online' as const) : ('NotRegistered' as const),
      })),
      trafficSources: group.trafficSources.map((source) => ({identifier: source.identifier, state: source.state})),
    })),
    trafficSources: [],
    parameters: Object.values(state.parameters)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((parameter) => ({name: parameter.name, value: parameter.history.at(-1)?.value ?? '', version: parameter.version})),
    ...alarmsAndNotices(model),
  }

  const byIdentifier = new Map<string, AccountView['trafficSources'][number]>()
  for (const group of groups) {
    for (const source of group.trafficSources) {
      let entry = byIdentifier.get(source.identifier)
      if (!entry) {
        entry = {identifier: source.identifier, groups: []}
        byIdentifier.set(source.identifier, entry)
      }
      const serving = groupInstances(model, group).filter((i) => i.lifecycle === 'InService' && i.health === 'Healthy')
      const versions = [...new Set(serving.map((instance) => instance.version ?? '-'))].sort()
      entry.groups.push({name: group.name, state: source.state, versions, servingInstances: serving.length})
    }
  }
  view.trafficSources = [...byIdentifier.values()]
  return view
}

function alarmsAndNotices(model: Model): Pick<AccountView, 'alarms' | 'topics' | 'buses'> {
  evaluateAlarms(model)
  const received = (r: ReceivedRecord) => ({at: iso(r.at), ...(r.subject ? {subject: r.subject} : {}), ...(r.source ? {source: r.source} : {}), ...(r.detailType ? {detailType: r.detailType} : {}), body: r.body})
  return {
    alarms: Object.values(alarms(model))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((a) => ({name: a.name, state: a.state, reason: a.reason, since: iso(a.updatedAt)})),
    topics: Object.entries(topics(model)).map(([arn, list]) => ({arn, received: list.map(received)})),
    buses: Object.entries(buses(model)).map(([arn, list]) => ({arn, received: list.map(received)})),
  }
}

function table(header: string[], rows: string[][], indent = ''): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  // Each line has the header's columns (a row short of some shows them empty, as the widths count them).
  const line = (cells: string[]) => (indent + widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join('  ')).trimEnd()
  return [line(header), ...rows.map(line)]
}

/** Plain-text tables (no colors) for `release sim show`. */
export function renderAccountView(view: AccountView): string {
  const lines: string[] = [`Simulated AWS account at ${view.now}`, '']

  lines.push('STACKS')
  if (view.stacks.length === 0) lines.push('  (none)')
  else {
    lines.push(
      ...table(
        ['NAME', 'STATUS', 'VERSION', 'CREATED', 'REASON'],
        view.stacks.map((stack) => [stack.name, stack.status, stack.version ?? '-', stack.createdAt, stack.statusReason ?? '']),
        '  ',
      ),
    )
  }
  lines.push('')

  lines.push('AUTO SCALING GROUPS')
  if (view.groups.length === 0) lines.push('  (none)')
  for (const group of view.groups) {
    const stack = group.stackName ? ` (stack ${group.stackName})` : ''
    lines.push(`  ${group.name}${stack}  desired ${group.desired}  min ${group.min}  max ${group.max}`)
    if (group.instances.length === 0) lines.push('    (no instances)')
    else {
      lines.push(
        ...table(
          ['INSTANCE', 'VERSION', 'LIFECYCLE', 'HEALTH', 'SSM AGENT'],
          group.instances.map((instance) => [instance.id, instance.version ?? '-', instance.lifecycle, instance.health, instance.ssmAgent]),
          '    ',
        ),
      )
    }
    for (const source of group.trafficSources) lines.push(`    traffic ${source.identifier}  ${source.state}`)
  }
  lines.push('')

  lines.push('TRAFFIC SOURCES')
  if (view.trafficSources.length === 0) lines.push('  (none)')
  for (const source of view.trafficSources) {
    lines.push(`  ${source.identifier}`)
    lines.push(
      ...table(
        ['GROUP', 'STATE', 'SERVING', 'SERVING VERSIONS'],
        source.groups.map((group) => [group.name, group.state, String(group.servingInstances), group.versions.join(', ') || '-']),
        '    ',
      ),
    )
  }
  lines.push('')

  lines.push('PARAMETERS')
  if (view.parameters.length === 0) lines.push('  (none)')
  else {
    lines.push(
      ...table(
        ['NAME', 'VERSION', 'VALUE'],
        view.parameters.map((parameter) => [parameter.name, String(parameter.version), parameter.value]),
        '  ',
      ),
    )
  }
  lines.push('')
  lines.push('ALARMS')
  if (view.alarms.length === 0) lines.push('  (none)')
  else lines.push(...table(['NAME', 'STATE', 'SINCE', 'REASON'], view.alarms.map((a) => [a.name, a.state, a.since, a.reason]), '  '))
  lines.push('')
  lines.push('SNS TOPICS AND EVENTBRIDGE BUSES')
  const sinks = [...view.topics, ...view.buses]
  if (sinks.length === 0) lines.push('  (none)')
  for (const sink of sinks) {
    lines.push(`  ${sink.arn}  ${sink.received.length} received`)
    for (const r of sink.received.slice(-5)) lines.push(`    ${r.at}  ${r.body.length > 100 ? `${r.body.slice(0, 100)}...` : r.body}`)
  }
  return lines.join('\n') + '\n'
}
