/**
 * A target's CloudWatch alarms as a release reads them: refused up front when one does not exist or
 * (for a rollout) one is already in ALARM; then watched on every poll while the release can go back.
 */
import type {TargetConfig} from '../config/index.js'
import {UserError} from '../errors.js'
import type {AlarmInfo, AlarmPort} from '../ports/alarms.js'
import {whileAvailable} from './kinds/unavailable.js'

/** What one alarm in ALARM says in a release's message and journal. */
export function describeAlarm(alarm: AlarmInfo): string {
  return `alarm ${alarm.name} is in ALARM since ${alarm.since}: ${alarm.reason.replace(/\.+$/, '')}`
}

/**
 * Refuses alarms the account does not have (exit 2), and for a rollout alarms already in ALARM unless
 * `ignore`; returns those in ALARM that were let through (to be recorded and not watched while their
 * state stays the same).
 */
export async function checkAlarms(
  alarms: AlarmPort,
  target: TargetConfig,
  options: {refuseAlarming: boolean; ignore: boolean; /** The named environment (its alarms are listed there too). */ environment?: string},
): Promise<AlarmInfo[]> {
  if (target.alarms.length === 0) return []
  const {found, missing} = await whileAvailable(`reading the alarms of ${target.name}`, () => alarms.describeAlarms(target.alarms))
  if (missing.length > 0) {
    throw new UserError(
      'E_ALARM_UNKNOWN',
      `${target.name}: the account has no CloudWatch ${missing.length === 1 ? 'alarm' : 'alarms'} ${missing.join(', ')}`,
      `check the names under ${whereListed(target.name, options.environment)} in release.yml (aws cloudwatch describe-alarms lists them); nothing was changed`,
    )
  }
  const alarming = found.filter((a) => a.state === 'ALARM')
  if (alarming.length > 0 && options.refuseAlarming && !options.ignore) {
    throw new UserError(
      'E_ALARMING',
      `${target.name} is already unhealthy: ${alarming.map(describeAlarm).join('; ')}`,
      `find out why first; to release anyway (for instance the fix for what the alarm says), add --ignore-alarms; nothing was changed`,
    )
  }
  return alarming
}

/** Where release.yml lists a target's alarms: in a named environment, three places add up. */
function whereListed(target: string, environment: string | undefined): string {
  const own = `targets.${target}.alarms`
  return environment === undefined ? own : `${own}, environments.${environment}.alarms and environments.${environment}.targets.${target}.alarms`
}

/**
 * The check a running release makes once a poll: the first alarm in ALARM, as the failure's message.
 * An alarm let through at the start is not counted while it stays in the same ALARM (same since). A
 * read that fails is not a verdict: the next poll reads again.
 */
export function alarmWatch(alarms: AlarmPort, names: string[], ignored: AlarmInfo[]): () => Promise<string | undefined> {
  const letThrough = new Map(ignored.map((a) => [a.name, a.since]))
  return async () => {
    let found: AlarmInfo[]
    try {
      ;({found} = await alarms.describeAlarms(names))
    } catch {
      return undefined
    }
    const firing = found.find((a) => a.state === 'ALARM' && letThrough.get(a.name) !== a.since)
    return firing ? describeAlarm(firing) : undefined
  }
}
