/** How often steps look at the account while they wait (virtual time on the simulated account). */
export const POLL_INTERVAL_MS = 5_000
