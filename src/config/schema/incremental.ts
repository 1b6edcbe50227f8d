/** An incremental target: instances changed in place through SSM Run Command, a window at a time. */
import * as v from 'valibot'
import {alarmsEntry} from './alarms.js'
import {driftEntry} from './drift.js'
import {notifyEntry} from './notify.js'
import {change} from './change.js'
import {enforce} from './enforce.js'
import {INCREMENTAL_GATES, TEMPLATE_WHAT, gates, strategy, template, timeouts} from './common.js'
import {refine} from './context.js'
import {duration, key, named, num, optionalKey, readAs, section, withDefault} from './fields.js'
import {groupName, targetEnvironments} from './names.js'
import {say} from './say.js'

const tagValue = v.pipe(
  v.union([v.string(), v.number()], say({kind: 'expected', what: 'a tag value (a non-empty string)', hint: 'Give tag {key} the value the instances carry; quote it if it looks like true/false or null.'})),
  v.check((value) => value !== '', say({kind: 'expected', what: 'a tag value (a non-empty string)', hint: 'Give tag {key} the value the instances carry; quote it if it looks like true/false or null.'})),
)

export const fleet = v.pipe(
  section({
    group: optionalKey(groupName('value'), 'The InService instances of that Auto Scaling group.'),
    tags: optionalKey(
      named(v.string(), tagValue, {atLeastOne: {what: 'at least one tag', hint: 'Name the tags that mark the fleet, e.g. tags: {Role: api}.'}}),
      'The Systems Manager managed instances carrying all these EC2 tags (numbers are taken as written; quote values that look like `true`, `false` or `null`).',
    ),
  }),
  refine<{group?: string; tags?: Record<string, string | number>}>((f, tell) => {
    if (f.group !== undefined && f.tags !== undefined) {
      tell({
        kind: 'problem',
        at: 'key',
        text: '{path}: sets both group and tags; expected exactly one of them',
        hint: 'Keep group (every instance of an Auto Scaling group) or tags (managed instances carrying those EC2 tags), not both.',
      })
    } else if (f.group === undefined && f.tags === undefined) {
      tell({
        kind: 'problem',
        at: 'value',
        text: '{path}: expected exactly one of group or tags',
        hint: 'Write fleet: {group: <Auto Scaling group name>} or fleet: {tags: {Role: api}}.',
      })
    }
  }),
)

/** A count of instances (an integer of at least `min`) or a share of the fleet ('25%'). */
function amount(min: 0 | 1) {
  const said = say({
    kind: 'expected',
    what: `a count of instances (an integer of at least ${min}) or a whole percentage of the fleet from ${min}% to 100%`,
    hint: `Write {key} as a number of instances, e.g. {key}: ${min + 1}, or a share of the fleet, e.g. {key}: 25%.`,
  })
  return v.pipe(v.union([v.number(), v.string()], said), readAs((value) => amountOf(value, min), said))
}

function amountOf(value: number | string, min: number): {count: number} | {percent: number} | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= min ? {count: value} : undefined
  const percent = percentOf(value, min)
  return percent === undefined ? undefined : {percent}
}

function percentOf(text: string, min: number): number | undefined {
  const match = /^(\d{1,3})%$/.exec(text.trim())
  const n = match ? Number(match[1]) : undefined
  return n !== undefined && n >= min && n <= 100 ? n : undefined
}

const INCREMENTAL_TEMPLATE = `${TEMPLATE_WHAT}. Optional: read by \`release plan\` to list its durable resources; never deployed by an incremental release.`

export const incrementalEntries = {
  strategy: strategy('incremental'),
  template: optionalKey(template(INCREMENTAL_TEMPLATE), INCREMENTAL_TEMPLATE),
  fleet: key(fleet, 'The instances to change: {group: <Auto Scaling group>} or {tags: {Key: Value}}. Exactly one of the two.'),
  change: key(change, "How an instance is changed, e.g. {apply: ['install.sh --version {{version}}']}."),
  maxUnavailable: withDefault(amount(1), '10%', 'The window: at most this many instances out of service at once, a count (at least 1) or a percentage of the fleet (`1%` to `100%`, rounded down but never below 1). A count larger than the fleet is refused when a release starts.'),
  canary: withDefault(num({integer: true, min: 0}), 1, 'Instances changed first, alone; the rest follow only if they are healthy. `0`: no canary. More than the fleet: the whole fleet.'),
  maxErrors: withDefault(amount(0), 0, 'Instances that may fail their change before the release rolls back: a count, or a percentage of the fleet (`0%` to `100%`, rounded down). `0`: the first failure rolls back.'),
  bake: withDefault(duration(), '1m', 'How long to watch the fleet\'s health once every instance is changed. `0s` skips it.'),
  timeouts: timeouts(
    {standby: '5m', apply: '10m', verify: '5m', health: '5m'},
    {
      standby: 'An instance reaching Standby after EnterStandby.',
      apply: 'Together with `verify`: the change command (apply, then verify lines) finishing on an instance; also reading the current versions in planning.',
      verify: 'See `apply`. Also bounds the wait, in planning, for SSM agents that have not registered yet (and for SendCommand refusing an instance as not managed yet).',
      health: 'An instance being InService and Healthy again after its change, and `healthy` in every target group of its group.',
    },
  ),
  enforce: optionalKey(
    enforce,
    'Keep the live version in place between releases: release keeps a State Manager association that applies the change with the live version to the whole fleet on this schedule (instances launched later included), moved to each new live version. See "Desired state kept by State Manager" in docs/concepts.md.',
  ),
  environments: optionalKey(targetEnvironments(), 'The environments this target exists in (names from `environments`); default: all of them. A target listed for `dev` alone is unknown in the others.'),
  alarms: alarmsEntry,
  drift: driftEntry,
  notify: notifyEntry,
  gates: gates(INCREMENTAL_GATES, 'Where a release waits for `release promote` or `release abort` (paused, exit 10): afterCanary.'),
}

export const INCREMENTAL_KEYS = Object.keys(incrementalEntries)

type Incremental = v.InferOutput<ReturnType<typeof section<typeof incrementalEntries>>>

export const incrementalRules = refine<Incremental>((t, tell) => {
  if (t.gates.includes('afterCanary') && t.canary === 0) {
    tell({kind: 'problem', at: 'key', text: '{path}: afterCanary needs a canary, but canary is 0', hint: 'Set canary to 1 or more, or remove afterCanary from gates of target {target}.'}, ['gates'])
  }
})

