/**
 * The range of a paced simulation, for `simulated.speed` and `RELEASE_SIM_SPEED` alike: below it a
 * one-second virtual wait is longer than a timer can wait (the clock would spin or stall), above it
 * the pace is no pace at all (use instant). Its own module so that opening the account does not load
 * the schema.
 */
export const SIM_SPEED_RANGE = {min: 0.01, max: 1_000_000} as const
