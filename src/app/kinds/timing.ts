/** How often immutable steps look at the account while they wait (virtual time on the simulated account). */
export const POLL_INTERVAL_MS = 5_000

/**
 * How often an in-place release looks at its window. Each look costs a few calls whatever the fleet
 * size (one DescribeAutoScalingGroups, one ListCommands, batched actions); an instance's change takes
 * a minute or more, so 10 s notices a finished instance soon enough to keep the window full while
 * keeping calls per instance low. bench/ prints the trade-off.
 */
export const WINDOW_POLL_INTERVAL_MS = 10_000
