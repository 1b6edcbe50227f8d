/** `enforce:` of an incremental target: a State Manager association keeps the live version in place. */
import * as v from 'valibot'
import {SCHEDULE_FORMS, scheduleProblem} from '../../util/schedule.js'
import {key, section, text} from './fields.js'
import {say} from './say.js'

/** A schedule SSM would refuse is refused here, with why, before anything changes. */
const schedule = v.pipe(
  text(),
  v.rawCheck(({dataset, addIssue}) => {
    if (!dataset.typed) return
    const problem = scheduleProblem(dataset.value)
    if (problem) addIssue({message: say({kind: 'problem', at: 'value', text: `{path}: ${problem}`, hint: `Write a schedule State Manager accepts: ${SCHEDULE_FORMS}.`})})
  }),
)

export const enforce = section({
  schedule: key(
    schedule,
    "How often State Manager applies the live version to every instance of the fleet, those launched later included: `rate(30 minutes)` or longer (minutes, hours or days, less than 31 days), or one of the cron forms associations take (`cron(0/30 * * * ? *)`, `cron(0 0/N * * ? *)` for N = 1, 2, 4, 8, 12, `cron(M H ? * * *)`, `cron(M H ? * MON *)`, UTC).",
  ),
})
