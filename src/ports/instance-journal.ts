/**
 * Per-instance progress of an in-place release, kept in the engine's journal (append-only, O(N) over a
 * whole rollout) instead of the machine's snapshot, and read back when a release is resumed.
 */

export type InstancePhase =
  /** Part of the plan, untouched yet. */
  | 'planned'
  /** EnterStandby asked; waiting for Standby. */
  | 'enteringStandby'
  /** The change (apply, then verify) was sent as `commandId`; without one, it is about to be sent (written ahead). */
  | 'changing'
  /** Changed and verified; ExitStandby asked; waiting for InService and healthy. */
  | 'returning'
  /** Serving the new version. */
  | 'done'
  /** The change failed on it; it waits for the way back. */
  | 'failed'
  /**
   * No longer in its group: Auto Scaling terminated it during the release (and launched a replacement,
   * which boots what the launch template boots). Nothing is sent to it again.
   */
  | 'gone'

export interface InstanceRecord {
  instanceId: string
  phase: InstancePhase
  /** Which pass this record belongs to: the release itself, or the way back to what ran before. */
  pass: 'forward' | 'restore'
  /** Where it stands in the plan (the canary first). Set on 'planned'. */
  order?: number
  /** Its version before the release (set on 'planned'); what a restore puts back. */
  previousVersion?: string | null
  commandId?: string
  /**
   * Set on 'changing' without a commandId written ahead of sends to come (a write-ahead covers the
   * instances the next looks are about to send, so that those sends need no write of their own): the
   * instance may not have been sent anything yet. A resumed pass that finds no command sent to it
   * takes it as planned; the way back still counts it as touched until a later record says otherwise.
   */
  ahead?: boolean
  /**
   * Set on 'planned' to take back a write-ahead (`ahead`) whose send never came (the pass stopped
   * first): the instance is as it was before, with no record in this pass.
   */
  unsent?: boolean
  /**
   * Set on 'failed' when Systems Manager could not deliver the change (Undeliverable, DeliveryTimedOut,
   * InvalidPlatform, AccessDenied): the instance still runs what it ran, so the way back sends it
   * nothing and only returns it to service.
   */
  undelivered?: boolean
  /** When the phase began, on the step clock: per-phase deadlines survive a resume. */
  at: number
  reason?: string
}

export interface InstanceJournal {
  append(records: InstanceRecord[]): Promise<void>
  /** Every record so far, oldest first. */
  load(): Promise<InstanceRecord[]>
}
