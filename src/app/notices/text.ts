/** A notice in words, for chat (the Slack-compatible `text` of a webhook) and SNS subjects. */
import type {Notice} from '../../ports/notices.js'

const HEADLINE: Record<Notice['event'], string> = {
  started: 'started',
  paused: 'is waiting at a gate',
  promoted: 'was promoted',
  aborted: 'was aborted',
  succeeded: 'succeeded',
  rolledBack: 'was rolled back',
  failed: 'FAILED and needs a human',
}

/** `release web-2 (web 2.0.0, previous 1.0.0) succeeded` */
export function subjectOf(notice: Notice): string {
  const previous = notice.previousVersion ? `, previous ${notice.previousVersion}` : ''
  return `release ${notice.releaseId} (${notice.target} ${notice.version}${previous}) ${HEADLINE[notice.event]}`
}

/** One paragraph a person reads in a channel: what, who, and the release's own message. */
export function textOf(notice: Notice): string {
  const environment = notice.environment ? ` in ${notice.environment}` : ''
  return `${subjectOf(notice)}${environment}, run by ${notice.by}.${notice.message ? ` ${notice.message}` : ''}`
}
