/**
 * Comments that name a file or a constant go stale when the code moves (issue 17): every repository
 * path a comment of src/, machines/ or strategies/ names exists, no comment points outside the
 * repository (the architecture is docs/dev/architecture.md), and every UPPER_CASE constant a comment
 * names is still defined somewhere in the code.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const COMMENTED = ['src', 'machines', 'strategies']
/** Top-level folders a comment may name a path under. */
const TOP = ['src', 'machines', 'strategies', 'test', 'docs', 'examples', 'bench', 'scripts', '.ci']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

interface CommentLine {
  file: string
  line: number
  text: string
}

/** Lines of block and line comments, and the comment part of a line of code (`code // why`). */
export function commentLines(source: string): {line: number; text: string}[] {
  const found: {line: number; text: string}[] = []
  let inBlock = false
  for (const [index, raw] of source.split('\n').entries()) {
    const line = raw.trim()
    if (inBlock) {
      found.push({line: index + 1, text: line})
      if (line.includes('*/')) inBlock = false
      continue
    }
    if (line.startsWith('/*')) {
      found.push({line: index + 1, text: line})
      inBlock = !line.includes('*/')
      continue
    }
    if (line.startsWith('//')) {
      found.push({line: index + 1, text: line})
      continue
    }
    // A trailing comment: `//` after code and a space, not inside a URL.
    const trailing = /\s\/\/\s(.*)$/.exec(raw)
    if (trailing && !/['"`][^'"`]*\s\/\/\s/.test(raw)) found.push({line: index + 1, text: trailing[1]!})
  }
  return found
}

function allComments(): CommentLine[] {
  return COMMENTED.flatMap((dir) =>
    sourceFiles(join(ROOT, dir)).flatMap((file) =>
      commentLines(readFileSync(file, 'utf8')).map((c) => ({file: relative(ROOT, file), ...c})),
    ),
  )
}

const comments = allComments()
/** A relative path climbing out of the tree, the old design notes beside the repository, or a machine's own path. */
const OUTSIDE = /(?:^|[\s(`'"])(?:\.\.\/)+[\w-]+\/|DESIGN\.md|\/work\/|\/home\/|~\//
const where = (c: CommentLine) => `${c.file}:${c.line}: ${c.text}`

describe('paths named in comments', () => {
  it('finds the comments it checks (the scan itself works)', () => {
    expect(comments.length).toBeGreaterThan(1000)
    expect(commentLines('const a = 1 // why\n/**\n * doc\n */\nconst url = "http://x" // see it')).toEqual([
      {line: 1, text: 'why'},
      {line: 2, text: '/**'},
      {line: 3, text: '* doc'},
      {line: 4, text: '*/'},
    ])
  })

  it('sees a pointer outside the repository', () => {
    expect(OUTSIDE.test('* The rule is in ../shared/DESIGN.md.')).toBe(true)
    expect(OUTSIDE.test('// see ../../other-repo/x.ts')).toBe(true)
    expect(OUTSIDE.test('* docs/dev/architecture.md')).toBe(false)
  })

  it('name files that exist in the repository', () => {
    const pattern = new RegExp(`(?<![\\w./-])((?:${TOP.map((t) => t.replace('.', '\\.')).join('|')})/[\\w./-]*\\w\\.(?:ts|md|json|yml|yaml|js|sh))\\b`, 'g')
    const missing: string[] = []
    for (const c of comments) {
      for (const match of c.text.matchAll(pattern)) {
        if (!existsSync(join(ROOT, match[1]!))) missing.push(`${where(c)} (${match[1]})`)
      }
    }
    expect(missing).toEqual([])
  })

  it('name sibling files (`./x.ts`, `x.ts` beside the comment or anywhere in its layer) that exist', () => {
    const missing: string[] = []
    const names = new Set(COMMENTED.flatMap((dir) => sourceFiles(join(ROOT, dir)).map((f) => f.slice(f.lastIndexOf('/') + 1))))
    for (const c of comments) {
      for (const match of c.text.matchAll(/(?<![\w/.-])(?:\.\/)?([a-z][\w-]*\.ts)\b/g)) {
        const name = match[1]!
        if (!existsSync(join(ROOT, dirname(c.file), name)) && !names.has(name)) missing.push(`${where(c)} (${name})`)
      }
    }
    expect(missing).toEqual([])
  })

  it('never point outside the repository', () => {
    const outside = comments.filter((c) => OUTSIDE.test(c.text) && !/import\(/.test(c.text))
    expect(outside.map(where)).toEqual([])
  })
})

describe('constants named in comments', () => {
  it('are defined in the code (not only in comments)', () => {
    const code = COMMENTED.flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .map((file) => {
        const source = readFileSync(file, 'utf8')
        const inComments = new Set(commentLines(source).map((c) => c.line))
        return source
          .split('\n')
          .filter((_, index) => !inComments.has(index + 1))
          .join('\n')
      })
      .join('\n')
    const unknown: string[] = []
    for (const c of comments) {
      for (const match of c.text.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])\b/g)) {
        // AWS's own environment variables (AWS_REGION...) are not ours to define.
        if (match[1]!.startsWith('AWS_')) continue
        if (!new RegExp(`\\b${match[1]}\\b`).test(code)) unknown.push(`${where(c)} (${match[1]})`)
      }
    }
    expect(unknown).toEqual([])
  })
})
