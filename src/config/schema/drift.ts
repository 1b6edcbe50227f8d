/** `drift:` of a target: what a rollout does when what is live has drifted (src/app/drift-check.ts). */
import {oneOf, withDefault} from './fields.js'

export const DRIFT_POLICIES = ['warn', 'refuse'] as const

export const driftEntry = withDefault(
  oneOf(DRIFT_POLICIES),
  'warn',
  'What `release rollout` does when what is live has drifted from the ledger (`release drift` runs first, and `release plan` shows its findings). `warn`: says what it found and goes on. `refuse`: exits 2 with the report, nothing changed; `release converge` brings the target back first.',
)
