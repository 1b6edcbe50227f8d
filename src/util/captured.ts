/**
 * The text one group of a regular expression captured. A group that took no part in the match (an
 * optional one, or a pattern changed since its caller was written) is refused by name: the caller
 * never goes on with `undefined` in place of the text it expected.
 */
export function captured(match: RegExpMatchArray, group: number): string {
  const text = match[group]
  if (text === undefined) throw new Error(`group ${group} of the pattern took no part in its match of ${JSON.stringify(match[0].slice(0, 80))}`)
  return text
}
