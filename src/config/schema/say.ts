/**
 * What a schema tells the user when a value is refused. valibot carries one string per issue, so
 * each of our messages is that string in JSON: the report (../report.ts) turns it into
 * `release.yml:LINE: path: expected WHAT, got FOUND` (the found value is read from the YAML node),
 * or a whole sentence for rules that are not about one value's form.
 */
export type Said =
  /** The value has the wrong form: "expected <what>, got <the value as written>". */
  | {kind: 'expected'; what: string; hint: string}
  /** A sentence of its own (cross-field rules); `at` picks the line: the key's or its value's. */
  | {kind: 'problem'; text: string; hint: string; at?: 'key' | 'value'; index?: number; absent?: string}
  /** A required key is absent (or written empty). */
  | {kind: 'missing'; key: string; what: string; near?: string}
  /** A key the mapping does not allow. */
  | {kind: 'unknown'; key: string; allowed: readonly string[]; other?: {strategy: string; keys: readonly string[]}}

export function say(said: Noted): string {
  return JSON.stringify(said)
}

/**
 * `index` (problem): where in the value the problem is, so that a multi-line block points at its
 * own line. `absent` (problem): when the key is not written (its default was read), the sibling
 * key whose line to point at; the text's `{absent: ...}` part is shown only then. `near` (missing): a sibling key whose line to point at. `note` (any): added to the hint.
 */
export type Noted = Said & {note?: string}

/** The Said inside an issue's message; undefined for a message valibot wrote itself. */
export function heard(message: string): Noted | undefined {
  if (!message.startsWith('{')) return undefined
  try {
    return JSON.parse(message) as Noted
  } catch {
    return undefined
  }
}
