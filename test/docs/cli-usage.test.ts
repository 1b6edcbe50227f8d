/**
 * Every `release ...` command line the docs show a user (in a code block, or inline in backticks)
 * names a command or topic that exists, and only flags that command has (oclif's manifest, built by
 * `npm run build`). A flag renamed in the code and not in the docs fails here, with the file and line.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = join(import.meta.dirname, '../..')
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}
const commands = manifest.commands
const topics = new Set(Object.keys(commands).flatMap((id) => id.split(':').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join(':'))))

/** The docs' deliberate mistakes: the typos whose refusal docs/exit-codes.md shows. */
const SHOWN_AS_MISTAKES = [/--versoin\b/, /\brollotu\b/]

const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

/** What is wrong with one command line (after `release `), if anything. */
function problem(text: string): string | undefined {
  if (SHOWN_AS_MISTAKES.some((mistake) => mistake.test(text))) return undefined
  const words = text.trim().split(/\s+/)
  for (let n = Math.min(3, words.length); n > 0; n--) {
    const id = words.slice(0, n).join(':')
    if (commands[id]) {
      const unknown = words.slice(n).flatMap((w) => /^--([a-z][a-z-]*)/.exec(w)?.[1] ?? []).filter((flag) => !(flag in commands[id]!.flags))
      return unknown.length > 0 ? `\`release ${id.replaceAll(':', ' ')}\` has no ${unknown.map((f) => `--${f}`).join(', ')}` : undefined
    }
    if (n === words.length && topics.has(id)) return undefined
  }
  return `no command \`release ${words.slice(0, 2).join(' ')}\``
}

/** The command lines of a doc: `release` at the start of a line in a code block, or in inline code. */
function commandLines(file: string): {line: number; text: string}[] {
  const found: {line: number; text: string}[] = []
  let fenced = false
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced
        return
      }
      if (fenced) {
        // A command a user types (a shell prompt, a CI step's `run:`), not output that mentions a release.
        for (const typed of line.matchAll(/(?:^\s*(?:- )?(?:run: )?(?:\$ )?|&&\s*)(?:npx (?:-p \S+ )?)?release ([a-z][^#|;&]*)/g)) found.push({line: i + 1, text: typed[1]!})
      } else {
        for (const inline of line.matchAll(/`(?:npx )?release ([a-z][^`]*)`/g)) found.push({line: i + 1, text: inline[1]!})
      }
    })
  // `release prod-web-12 ...` is a release named in output or prose, not a command.
  return found.filter(({text}) => !RELEASE_ID.test(text))
}

/** A release id such as web-7 or prod-web-12. */
const RELEASE_ID = /^[a-z][a-z0-9-]*-\d+\b/

describe('release commands in the docs', () => {
  it.each(FILES)('%s names only commands and flags that exist', (file) => {
    const problems = commandLines(file).flatMap(({line, text}) => {
      const wrong = problem(text)
      return wrong ? [`${file}:${line}: ${wrong}`] : []
    })
    expect(problems).toEqual([])
  })

  it('reads the command lines it checks (and would see a flag that does not exist)', () => {
    expect(commandLines('README.md').map((c) => c.text.trim())).toContain('rollout web --version 2.0.0 --config examples/quickstart/release.yml')
    expect(problem('rollout web --versions 2.0.0')).toBe('`release rollout` has no --versions')
    expect(problem('state init --table t')).toBe('`release state init` has no --table')
    expect(problem('sim drift')).toBeUndefined()
    expect(problem('deploy web')).toBe('no command `release deploy web`')
  })
})
