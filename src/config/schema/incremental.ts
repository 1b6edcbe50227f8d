/** An incremental target: instances changed in place through SSM Run Command, a window at a time. */
import * as v from 'valibot'
import {change} from './change.js'
import {INCREMENTAL_GATES, TEMPLATE_WHAT, gates, strategy, template, timeouts} from './common.js'
import {refine} from './context.js'
import {duration, key, named, num, optionalKey, section, withDefault} from './fields.js'
import {groupName} from './names.js'
import {say} from './say.js'

const tagValue = v.pipe(
  v.union([v.string(), v.number()], say({kind: 'expected', what: 'a tag value (a non-empty string)', hint: 'Give tag {key} the value the instances carry; quote it if it looks like true/false or null.'})),
  v.check((value) => value !== '', say({kind: 'expected', what: 'a tag value (a non-empty string)', hint: 'Give tag {key} the value the instances carry; quote it if it looks like true/false or null.'})),
)

const fleet = v.pipe(
  section({
    group: optionalKey(groupName('value'), 'An Auto Scaling group: every instance of it is changed.'),
    tags: optionalKey(
      named(v.string(), tagValue, {atLeastOne: {what: 'at least one tag', hint: 'Name the tags that mark the fleet, e.g. tags: {Role: api}.'}}),
      'EC2 tags: every managed instance carrying all of them is changed.',
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
  return v.pipe(
    v.union([v.number(), v.string()], said),
    v.check((value) => (typeof value === 'number' ? Number.isSafeInteger(value) && value >= min : percentOf(value, min) !== undefined), said),
    v.transform((value) => (typeof value === 'number' ? {count: value} : {percent: percentOf(value, min)!})),
  )
}

function percentOf(text: string, min: number): number | undefined {
  const match = /^(\d{1,3})%$/.exec(text.trim())
  const n = match ? Number(match[1]) : undefined
  return n !== undefined && n >= min && n <= 100 ? n : undefined
}

export const incrementalEntries = {
  strategy: strategy('incremental'),
  template: optionalKey(template(`${TEMPLATE_WHAT}. Never deployed: read by release plan.`), `${TEMPLATE_WHAT}. Never deployed: read by release plan.`),
  fleet: key(fleet, 'The instances to change: {group: <Auto Scaling group>} or {tags: {Key: Value}}.'),
  change: key(change, "How an instance is changed, e.g. {apply: ['install.sh --version {{version}}']}."),
  maxUnavailable: withDefault(amount(1), '10%', 'The window: at most this many instances (a count, or a share of the fleet such as 25%) out of service at once.'),
  canary: withDefault(num({integer: true, min: 0}), 1, 'Instances changed alone first; the rest follow only if they are healthy (0: no canary).'),
  maxErrors: withDefault(amount(0), 0, 'Failed instances tolerated (a count or a share) before the release rolls back; 0: the first failure rolls back.'),
  bake: withDefault(duration(), '1m', 'How long the whole fleet is watched after the last window before the release succeeds.'),
  timeouts: timeouts(
    {standby: '5m', apply: '10m', verify: '5m', health: '5m'},
    {
      standby: 'An instance entering or leaving Standby.',
      apply: 'The apply command on an instance.',
      verify: 'The verify command on an instance.',
      health: 'An instance turning healthy again.',
    },
  ),
  gates: gates(INCREMENTAL_GATES, 'Where a release waits for `release promote` or `release abort` (paused, exit 10): afterCanary.'),
}

export const INCREMENTAL_KEYS = Object.keys(incrementalEntries)

type Incremental = v.InferOutput<ReturnType<typeof section<typeof incrementalEntries>>>

export const incrementalRules = refine<Incremental>((t, tell) => {
  if (t.gates.includes('afterCanary') && t.canary === 0) {
    tell({kind: 'problem', at: 'key', text: '{path}: afterCanary needs a canary, but canary is 0', hint: 'Set canary to 1 or more, or remove afterCanary from gates of target {target}.'}, ['gates'])
  }
})

