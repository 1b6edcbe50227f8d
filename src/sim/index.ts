/** The simulated AWS account (docs/dev/architecture.md). Imported only by the composition root (src/app) and tests. */
export {SimAccount} from './account.js'
export {createSimClients, simLazyClients, type SimClients} from './clients.js'
export {UnsupportedCommandError} from './errors.js'
export {DriftChangeError, type DriftChange} from './cause-drift.js'
export {installSimulatedAccount, simulatedAccountMiddleware, SIM_MIDDLEWARE_NAME} from './middleware.js'
export {DEFAULT_TIMINGS} from './timings.js'
export type {
  AccountView,
  DelayRange,
  FleetSummary,
  InstanceSummary,
  LatencyDistribution,
  SimDocument,
  SimFaults,
  SimFleet,
  SimMetrics,
  SimOptions,
  SimService,
  SimTargetGroup,
  SimAlarm,
  SimTimings,
} from './types.js'
export type {FleetListener} from './telemetry.js'
export {renderAccountView} from './view.js'
