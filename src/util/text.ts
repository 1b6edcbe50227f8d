/**
 * Free text from outside (a person's `--reason`, what an instance prints) is stored in the ledger and
 * printed to terminals. A terminal acts on escape sequences in it (clear the screen, retitle the
 * window, rewrite earlier lines, hide text), so such text keeps only what prints as itself.
 */

/**
 * ESC-introduced sequences, whole: CSI (ESC [ params final), OSC/DCS/SOS/PM/APC strings (up to BEL or
 * ESC \), and two-character escapes. The C1 forms (0x9b CSI, 0x9d OSC) are caught as controls below.
 */
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -~]?)/g

/** C0 and C1 controls, DEL, and the Unicode marks that reorder or hide text (bidi overrides, isolates). */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * `text` with terminal escape sequences removed and every other control character (newlines and tabs
 * included) turned into a space: one line that prints as itself. Runs of spaces this makes are one.
 */
export function printableText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, ' ').replace(/ {2,}/g, ' ')
}
