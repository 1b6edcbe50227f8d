/**
 * The comment on every change command a pass sends. It is how a process finds the commands a dead one
 * sent before the journal named them (IncrementalDeps.commands.sentWith): a resumed pass re-attaches
 * to them (window.ts), and the way back cancels them before it puts anything back (settle.ts).
 */
export function changeComment(releaseId: string, pass: 'forward' | 'restore', version: string): string {
  return `release ${releaseId} ${pass === 'forward' ? 'to' : 'back to'} ${version}`
}
