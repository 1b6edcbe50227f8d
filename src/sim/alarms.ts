/**
 * CloudWatch alarms of the simulated account. Each alarm's metric is the health of what serves its
 * traffic sources (or runs in its groups): while an instance of a version in faults.alarmingVersions
 * is InService and Healthy there, the metric breaches, and after alarmAfterSeconds of that the alarm
 * goes to ALARM; once no such instance serves, it returns to OK. Alarms are evaluated when read (the
 * account is lazy), which is as often as anyone looks: a release looks once a poll.
 */
import {matchesAny} from './faults.js'
import {groupInstances} from './instances.js'
import {iso, type Model} from './model.js'
import type {AlarmRecord, GroupRecord, SimAlarm} from './types.js'

export const DEFAULT_ALARM_AFTER_SECONDS = 60
const EVALUATION_PERIOD_MS = 60_000

export function alarms(model: Model): Record<string, AlarmRecord> {
  model.state.alarms ??= {}
  return model.state.alarms
}

/** Alarms named in the options, created OK when the account lacks them (their watches kept up to date). */
export function seedAlarms(model: Model, wanted: Record<string, SimAlarm> | undefined): void {
  const known = alarms(model)
  for (const [name, watches] of Object.entries(wanted ?? {})) {
    const existing = known[name]
    if (existing) {
      existing.trafficSources = watches.trafficSources
      existing.groups = watches.groups
      continue
    }
    known[name] = {
      name,
      arn: `arn:aws:cloudwatch:${model.state.region}:${model.state.accountId}:alarm:${name}`,
      ...watches,
      state: 'OK',
      reason: 'Unchecked: Initial alarm creation',
      updatedAt: model.now,
    }
  }
}

/** Brings every alarm up to date with what serves now. */
export function evaluateAlarms(model: Model): void {
  const patterns = model.faults.alarmingVersions
  const afterMs = Math.max(0, (model.faults.alarmAfterSeconds ?? DEFAULT_ALARM_AFTER_SECONDS) * 1000)
  for (const alarm of Object.values(alarms(model))) {
    // A state set by hand (SetAlarmState) holds until the next evaluation period, as in CloudWatch.
    if (alarm.setByHand && model.now - alarm.updatedAt < EVALUATION_PERIOD_MS) continue
    const breaching = patterns && patterns.length > 0 ? breachingVersion(model, alarm, patterns) : undefined
    if (breaching === undefined) {
      alarm.breachingSince = undefined
      if (alarm.state !== 'OK') {
        setState(model, alarm, 'OK', `Threshold Crossed: 1 datapoint [0.0 (${iso(model.now)})] was not greater than the threshold (0.0).`)
      }
      continue
    }
    alarm.breachingSince ??= model.now
    if (alarm.state !== 'ALARM' && model.now - alarm.breachingSince >= afterMs) {
      setState(
        model,
        alarm,
        'ALARM',
        `Threshold Crossed: 1 datapoint [1.0 (${iso(model.now)})] was greater than the threshold (0.0): instances of version ${breaching} report errors.`,
      )
    }
  }
}

export function setState(model: Model, alarm: AlarmRecord, state: string, reason: string, byHand = false): void {
  alarm.state = state
  alarm.reason = reason
  alarm.updatedAt = model.now
  alarm.setByHand = byHand || undefined
}

/** A version of alarmingVersions that an InService, Healthy instance watched by the alarm runs, if any. */
function breachingVersion(model: Model, alarm: AlarmRecord, patterns: string[]): string | undefined {
  const sources = new Set(alarm.trafficSources ?? [])
  const named = new Set(alarm.groups ?? [])
  const watched = (group: GroupRecord) =>
    named.has(group.name) || group.trafficSources.some((s) => sources.has(s.identifier) && (s.state === 'InService' || s.state === 'Added'))
  for (const group of Object.values(model.state.groups)) {
    if (!watched(group)) continue
    for (const instance of groupInstances(model, group)) {
      if (instance.lifecycle === 'InService' && instance.health === 'Healthy' && matchesAny(patterns, instance.version)) return instance.version
    }
  }
  return undefined
}
