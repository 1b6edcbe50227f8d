/** What a release tells the team, and where (release.yml `notify:`). */

export type NoticeEvent = 'started' | 'paused' | 'promoted' | 'aborted' | 'succeeded' | 'rolledBack' | 'failed'

export interface Notice {
  /** Stable over resends (`<release id>:<event or gate>`): a receiver that saw it already may drop it. */
  id?: string
  event: NoticeEvent
  target: string
  /** The named environment the release belongs to (`--env`); null without environments: in release.yml. */
  environment: string | null
  releaseId: string
  version: string
  previousVersion: string | null
  /** The release's outcome when the notice was made (inProgress, paused, or how it ended). */
  outcome: string
  message: string
  /** Who ran it, or who aborted it (user@host). */
  by: string
  /** ISO. */
  at: string
}
