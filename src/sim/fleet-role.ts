/**
 * The Role tag a seeded fleet propagates to its instances: the group name without a trailing
 * `-fleet` (group `api-fleet`: Role=api). Its own module, free of the simulator, so that the app can
 * match release.yml's fleets against seeded groups without loading the simulated account.
 */
export function fleetRole(groupName: string): string {
  return groupName.endsWith('-fleet') && groupName.length > '-fleet'.length ? groupName.slice(0, -'-fleet'.length) : groupName
}
