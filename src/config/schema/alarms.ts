/** `alarms:` of a target: CloudWatch alarms that count as its health while a release can go back. */
import * as v from 'valibot'
import {list, matching, unique, withDefault} from './fields.js'

/** CloudWatch alarm names: 1 to 255 characters, no control characters. */
export const ALARM_NAME = /^[^\u0000-\u001f\u007f]{1,255}$/

const alarmName = () =>
  matching(ALARM_NAME, (value) => ({
    kind: 'problem',
    text: `{path}: ${JSON.stringify(value.slice(0, 60))} is not a CloudWatch alarm name (1 to 255 characters, no control characters)`,
    hint: 'Give the alarm name as the CloudWatch console or `aws cloudwatch describe-alarms` shows it.',
  }))

/** A list of alarm names, each once (also under environments: there, added to the target's). */
export const alarmList = () => v.pipe(list(alarmName(), {what: 'alarm names', example: '[web-5xx-rate, web-p99-latency]'}), unique((name) => `alarm ${name}`))

export const alarmsEntry = withDefault(
  alarmList(),
  [],
  'CloudWatch alarms (names) that count as the health of this target. While a release can still go back (immutable: from the shift through the bake; incremental: the canary, every window and the bake), any of them in state `ALARM` fails the release and rolls it back, naming the alarm, its reason and since when. One already in `ALARM` when a rollout starts refuses it (exit 2; `--ignore-alarms` to go anyway); a name the account does not have is refused before anything changes. With environments: the alarms under `environments.<name>.alarms` (every target there) and `environments.<name>.targets.<target>.alarms` are added to these in that environment; an environment never removes one.',
)
