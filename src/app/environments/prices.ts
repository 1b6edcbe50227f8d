/**
 * On-demand prices, USD per instance-hour, Linux, us-east-1 (AWS's published on-demand rates; other
 * regions differ by a few percent). Only an estimate: `ephemeral.prices` in release.yml overrides or
 * adds entries (docs/environments.md lists this table).
 */
export const ON_DEMAND_PRICES: Record<string, number> = {
  't3.nano': 0.0052,
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  't4g.micro': 0.0084,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  'm5.large': 0.096,
  'm5.xlarge': 0.192,
  'm6i.large': 0.096,
  'm7g.large': 0.0816,
  'c5.large': 0.085,
  'c6i.large': 0.085,
  'r5.large': 0.126,
  'r6i.large': 0.126,
}

export function priceOf(instanceType: string, overrides: Record<string, number> = {}): number | undefined {
  return Object.hasOwn(overrides, instanceType) ? overrides[instanceType] : ON_DEMAND_PRICES[instanceType]
}
