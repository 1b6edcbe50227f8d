/** NextToken paging. Tokens are opaque to callers: base64url JSON of an offset (or a cursor). */

export function encodeToken(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeToken(token: string, invalid: () => Error): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // fall through: a token we did not issue
  }
  throw invalid()
}

/**
 * The MaxResults of a list call within SSM's bounds (50 by default), or the ValidationException SSM
 * gives. `invalid` builds the service's error from its message.
 */
export function maxResults(requested: number | undefined, min: number, max: number, invalid: (message: string) => Error): number {
  if (requested === undefined || requested === null) return max
  if (!Number.isInteger(requested) || requested < min || requested > max) {
    throw invalid(
      `1 validation error detected: Value '${requested}' at 'maxResults' failed to satisfy constraint: ` +
        `Member must have value less than or equal to ${max} and greater than or equal to ${min}`,
    )
  }
  return requested
}

/** One page of `items` from the offset carried by `nextToken`. */
export function page<T>(
  items: readonly T[],
  nextToken: string | undefined,
  size: number,
  invalid: () => Error,
): {items: T[]; nextToken?: string} {
  let offset = 0
  if (nextToken) {
    const decoded = decodeToken(nextToken, invalid)
    if (typeof decoded['o'] !== 'number' || decoded['o'] < 0) throw invalid()
    offset = decoded['o']
  }
  const end = offset + Math.max(1, size)
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? encodeToken({o: end}) : undefined,
  }
}

/** MaxRecords/MaxResults with the service's default and upper bound. */
export function pageSize(requested: number | undefined, fallback: number, max: number): number {
  if (requested === undefined || requested === null) return fallback
  return Math.max(1, Math.min(max, Math.floor(requested)))
}
