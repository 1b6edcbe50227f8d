/**
 * What the ledger keeps of one release beyond its id, version and outcome: the part of the machine's
 * context that readers need once the machine is gone (status, tidy, drift, plan, the next release's
 * choice of the live and last known good stacks). src/app/kinds/*.ts write it after every transition.
 *
 * Every field is optional: ledgers written before a field existed lack it, and they must still read.
 */
import type {Abort, StepFailure} from '../../machines/common.js'
import type {AdoptedGroup, RetireResult} from '../../machines/immutable.js'
import type {FleetPlan, RestoreResult, Tally} from '../../machines/incremental.js'
import type {StrategyName} from '../ports/release.js'

/** What both strategies keep: how the release went back, if it did. */
interface CommonDetails {
  /** ISO deadline of the bake, once traffic (or the first window) moved. */
  bakeUntil?: string | null
  /** The failure that sent the release back. */
  failure?: StepFailure | null
  /** The failure of the way back itself: a human is needed. */
  rollbackFailure?: StepFailure | null
  /** A person's abort (at a gate, or of a running release at its next step). */
  abort?: Abort | null
}

export interface ImmutableDetails extends CommonDetails {
  /** The release's own stack (new or retained and reused); null before provisioning chose it. */
  stackName?: string | null
  /** The new stack's Auto Scaling group, once provisioned. */
  group?: string | null
  /** The stack was retained from an earlier release of the version and scaled up again. */
  reusedStack?: boolean
  /** The group that served before this release. */
  oldGroup?: string | null
  retired?: RetireResult | null
  /** A group serving without the ledger knowing it, taken over as the old group (`--adopt`). */
  adopted?: AdoptedGroup
  /** `rollback --emergency`. */
  emergency?: true
  /** The record was read back from the account by `release ledger rebuild`. */
  rebuilt?: true
  /** The keepWarm period of the group this release left warm ended (src/app/warm.ts). */
  warmEnded?: WarmEnded
}

export interface WarmEnded {
  at: string
  how: 'scaledToZero' | 'alreadyDown'
}

export interface IncrementalDetails extends CommonDetails {
  plan?: FleetPlan | null
  tally?: Tally
  restore?: RestoreResult | null
}

export type ReleaseDetails = ImmutableDetails | IncrementalDetails

/**
 * The details of an immutable release (undefined for another strategy's): the record's strategy says
 * which shape its details have, as the kind that wrote them was chosen by it.
 */
export function immutableDetails(record: {strategy: StrategyName; details?: ReleaseDetails}): ImmutableDetails | undefined {
  return record.strategy === 'immutable' ? record.details : undefined
}

/**
 * The stack a release runs in, as its details name it (undefined when none): only an immutable
 * release names one, so the field is read whatever the record's strategy says.
 */
export function stackNameOf(record: {details?: ReleaseDetails}): string | undefined {
  const details: ImmutableDetails | undefined = record.details
  const name = details?.stackName
  return typeof name === 'string' && name !== '' ? name : undefined
}
