/**
 * The `{{version}}` placeholder in the shell lines of an incremental target (change.apply, verify,
 * current). The version is substituted as text before the shell reads the line, so it must land where
 * the shell takes it as data: a plain argument. Where the shell would parse it again as code (a
 * command substitution, eval, the script of `sh -c`), a version would be a piece of a program; those
 * places are refused even though validateVersion already keeps versions to one plain word, so that the
 * safety of a release never rests on a single check.
 */

import {captured} from '../util/captured.js'

export const VERSION_PLACEHOLDER = '{{version}}'

export interface PlaceholderProblem {
  /** Index in the line where the offending placeholder starts. */
  index: number
  problem: string
  hint: string
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh'])
const SAFE_FORM = `pass it as a plain argument, e.g. install.sh --version ${VERSION_PLACEHOLDER}`

/** The first problem with the placeholders of one shell line, or undefined when it is fine. */
export function checkPlaceholders(line: string): PlaceholderProblem | undefined {
  const found: number[] = []
  for (const match of line.matchAll(PLACEHOLDER)) {
    const inner = captured(match, 1)
    if (inner === 'version') {
      found.push(match.index)
      continue
    }
    const spaced = inner.trim() === 'version'
    return {
      index: match.index,
      problem: `unknown placeholder ${match[0]}; the only placeholder is ${VERSION_PLACEHOLDER}`,
      hint: spaced
        ? `Write ${VERSION_PLACEHOLDER} without spaces.`
        : `Use ${VERSION_PLACEHOLDER} for the version being released; other values belong in the command itself or in a script on the instance.`,
    }
  }
  const open = line.replace(PLACEHOLDER, '').indexOf('{{')
  if (open >= 0) {
    return {
      index: open,
      problem: `unclosed placeholder "${line.replace(PLACEHOLDER, '').slice(open, open + 12)}"; the only placeholder is ${VERSION_PLACEHOLDER}`,
      hint: `Write the placeholder as ${VERSION_PLACEHOLDER}.`,
    }
  }
  if (found.length === 0) return undefined

  const scan = scanShell(line)
  for (const index of found) {
    const region = scan.regions.find((r) => r.start <= index && index < r.end)
    if (region?.kind === 'backtick') {
      return {
        index,
        problem: `${VERSION_PLACEHOLDER} inside backticks: the shell would run the version as part of a command`,
        hint: `Keep ${VERSION_PLACEHOLDER} out of the backticks: ${SAFE_FORM}; if a substitution needs it, set a variable first: V=${VERSION_PLACEHOLDER}; echo "$(install.sh --version "$V")".`,
      }
    }
    if (region?.kind === 'substitution') {
      return {
        index,
        problem: `${VERSION_PLACEHOLDER} inside $(...): the shell would run the version as part of a command`,
        hint: `Keep ${VERSION_PLACEHOLDER} out of the $(...): ${SAFE_FORM}; if a substitution needs it, set a variable first: V=${VERSION_PLACEHOLDER}; echo "$(install.sh --version "$V")".`,
      }
    }
    const lineNumber = lineAt(line, index)
    // Quotes and backslashes do not change what a word names: e"v"al and \eval are eval.
    if (scan.words.some((w) => unquote(w.text) === 'eval' && lineAt(line, w.start) === lineNumber)) {
      return {
        index,
        problem: `${VERSION_PLACEHOLDER} in a line that uses eval: eval reads its arguments as shell code, version included`,
        hint: `Run the command without eval and ${SAFE_FORM}.`,
      }
    }
    const script = scan.shellScripts.find((w) => w.start <= index && index < w.end)
    if (script && SHELLS.has(script.shell)) {
      return {
        index,
        problem: `${VERSION_PLACEHOLDER} inside the script of ${script.shell} -c: that script is read as shell code, version included`,
        hint: `Pass the version as an argument after the script and use "$1" in it: ${script.shell} -c 'install.sh --version "$1"' _ ${VERSION_PLACEHOLDER}; or run the command directly and ${SAFE_FORM}.`,
      }
    }
    if (script) {
      return {
        index,
        problem: `${VERSION_PLACEHOLDER} inside the code given to ${script.shell} ${script.option}: that text is read as a program, version included`,
        hint: `Run a script that takes the version as an argument instead, e.g. sudo -u app install.sh --version ${VERSION_PLACEHOLDER} or python3 install.py ${VERSION_PLACEHOLDER}; ${SAFE_FORM}.`,
      }
    }
    const reader = scan.stdinReaders.find((w) => lineAt(line, w.start) === lineNumber)
    if (reader) {
      return {
        index,
        problem: `${VERSION_PLACEHOLDER} in a line where ${reader.shell} reads its program from standard input (a pipe or a here-string): the version would be read as code`,
        hint: `Run the command directly instead of piping it into ${reader.shell}: ${SAFE_FORM}.`,
      }
    }
  }
  return undefined
}

/**
 * Programs that run a code argument given after one of these options (anywhere among their
 * arguments: `su - app -c '...'`, `flock /var/lock/x -c '...'`), or, given no argument at all, read
 * their program from standard input. Shells (SHELLS) are read more closely in findShellScripts.
 */
const CODE_OPTIONS: Record<string, string[]> = {
  su: ['-c', '--command'],
  runuser: ['-c', '--command'],
  flock: ['-c', '--command'],
  python: ['-c'],
  python2: ['-c'],
  python3: ['-c'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  node: ['-e', '-p', '--eval', '--print'],
  php: ['-r'],
  pwsh: ['-c', '-command', '-Command'],
}
const READS_STDIN = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'php'])

/** The program a command word names: its base name, and `sh` for a variable naming the user's shell. */
function programName(word: string): string {
  const plain = unquote(word)
  if (/^\$\{?(SHELL|BASH)\}?$/.test(plain)) return 'sh'
  const base = plain.slice(plain.lastIndexOf('/') + 1)
  return /^python3\.\d+$/.test(base) ? 'python3' : base
}

interface Word {
  start: number
  end: number
  /** Raw text, quotes included. */
  text: string
}

interface Scan {
  words: Word[]
  /** Spans of command substitutions, outermost first. */
  regions: {kind: 'backtick' | 'substitution'; start: number; end: number}[]
  /** The script argument of `sh -c` and its kin (and the code of `python3 -c`, `su -c`, ...). */
  shellScripts: (Word & {shell: string; option: string})[]
  /** Shells and interpreters that read their program from standard input (`| sh`, `bash -s`, `bash <<<`). */
  stdinReaders: (Word & {shell: string})[]
}

/**
 * A small reader of POSIX shell syntax: enough to tell words, quotes, command substitutions and
 * command boundaries apart. It does not expand anything; a line it cannot read to the end (an
 * unclosed quote) is read up to the end of the text, which errs towards finding a region.
 */
function scanShell(text: string): Scan {
  const scan: Scan = {words: [], regions: [], shellScripts: [], stdinReaders: []}
  readList(text, 0, undefined, scan)
  return scan
}

const OPERATOR = /[;&|()<>\n]/
const BLANK = /[ \t\r]/

/** Reads commands from `i` until `closer` (unnested) or the end; returns the index after the closer. */
function readList(text: string, start: number, closer: ')' | '`' | undefined, scan: Scan): number {
  let i = start
  let depth = 0
  let command: Word[] = []
  const endCommand = () => {
    findShellScripts(command, scan)
    command = []
  }
  for (let c = text[i]; c !== undefined; c = text[i]) {
    if (BLANK.test(c)) {
      i++
      continue
    }
    if (closer === '`' && c === '`') {
      endCommand()
      return i + 1
    }
    if (c === ')' && closer === ')' && depth === 0) {
      endCommand()
      return i + 1
    }
    if (c === '#') {
      const newline = text.indexOf('\n', i)
      i = newline < 0 ? text.length : newline
      continue
    }
    if (OPERATOR.test(c)) {
      if (c === '(') depth++
      if (c === ')') depth = Math.max(0, depth - 1)
      endCommand()
      i++
      continue
    }
    const end = readWord(text, i, closer, scan)
    const word = {start: i, end, text: text.slice(i, end)}
    scan.words.push(word)
    command.push(word)
    i = end
  }
  endCommand()
  return text.length
}

/** Reads one word from `i`; returns the index after it. */
function readWord(text: string, start: number, closer: ')' | '`' | undefined, scan: Scan): number {
  let i = start
  for (let c = text[i]; c !== undefined; c = text[i]) {
    if (BLANK.test(c) || OPERATOR.test(c)) return i
    if (c === '`' && closer === '`') return i
    if (c === '\\') {
      i += 2
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1)
      i = close < 0 ? text.length : close + 1
    } else if (c === '"') {
      i = readDoubleQuoted(text, i + 1, scan)
    } else if (c === '`' || (c === '$' && text[i + 1] === '(')) {
      i = readSubstitution(text, i, scan)
    } else if (c === '$' && text[i + 1] === '{') {
      i = readBraces(text, i + 2, scan)
    } else {
      i++
    }
  }
  return Math.min(i, text.length)
}

function readDoubleQuoted(text: string, start: number, scan: Scan): number {
  let i = start
  for (let c = text[i]; c !== undefined; c = text[i]) {
    if (c === '"') return i + 1
    if (c === '\\') i += 2
    else if (c === '`' || (c === '$' && text[i + 1] === '(')) i = readSubstitution(text, i, scan)
    else if (c === '$' && text[i + 1] === '{') i = readBraces(text, i + 2, scan)
    else i++
  }
  return text.length
}

/** `...` or $(...) (and $((...)), whose inner parentheses nest) from `start`; records its span. */
function readSubstitution(text: string, start: number, scan: Scan): number {
  const region = {kind: text[start] === '`' ? ('backtick' as const) : ('substitution' as const), start, end: text.length}
  scan.regions.push(region)
  const end = region.kind === 'backtick' ? readList(text, start + 1, '`', scan) : readList(text, start + 2, ')', scan)
  region.end = end
  return end
}

/**
 * ${...}: to the matching brace. Its word (`${x:-$(cmd)}`) may hold command substitutions, which run
 * like any other: they are recorded too.
 */
function readBraces(text: string, start: number, scan: Scan): number {
  let depth = 1
  let i = start
  while (i < text.length) {
    const c = text[i]
    if (c === '\\') i += 2
    else if (c === '`' || (c === '$' && text[i + 1] === '(')) i = readSubstitution(text, i, scan)
    else if (c === '{') {
      depth++
      i++
    } else if (c === '}' && --depth === 0) return i + 1
    else i++
  }
  return text.length
}

/**
 * In one simple command, the script of a shell started with -c: `bash -c 'script' name args...`,
 * also after sudo/env/xargs, with the shell named by path, and with -c among other options (-ec, -lc).
 */
function findShellScripts(command: Word[], scan: Scan): void {
  command.forEach((word, k) => {
    const shell = programName(word.text)
    const codeOptions = CODE_OPTIONS[shell]
    if (codeOptions) {
      const after = command.slice(k + 1)
      for (const [n, next] of after.entries()) {
        const option = unquote(next.text)
        const code = codeOptions.includes(option) ? after[n + 1] : codeOptions.some((o) => o.startsWith('--') && option.startsWith(`${o}=`)) ? next : undefined
        if (code) scan.shellScripts.push({...code, shell, option})
      }
      if (READS_STDIN.has(shell) && command.slice(k + 1).every((w) => unquote(w.text) === '-')) scan.stdinReaders.push({...word, shell})
      return
    }
    if (!SHELLS.has(shell)) return
    let sawC = false
    let sawS = false
    let j = k + 1
    for (let next = command[j]; next !== undefined; next = command[++j]) {
      const option = unquote(next.text)
      if (option === '--' || option === '-') {
        j++
        break
      }
      if (!/^[-+]./.test(option)) break
      if (/^[-+][oO]$/.test(option) || option === '--rcfile' || option === '--init-file') {
        j++
        continue
      }
      if (/^-[A-Za-z]+$/.test(option) && option.includes('c')) sawC = true
      if (/^-[A-Za-z]+$/.test(option) && option.includes('s')) sawS = true
    }
    const script = command[j]
    if (sawC && script) scan.shellScripts.push({...script, shell, option: '-c'})
    // No script file to run (or -s): the shell reads its program from standard input.
    else if (!sawC && (sawS || !script)) scan.stdinReaders.push({...word, shell})
  })
}

function unquote(word: string): string {
  return word.replace(/['"\\]/g, '')
}

function lineAt(text: string, index: number): number {
  let line = 0
  for (let i = 0; i < index; i++) if (text[i] === '\n') line++
  return line
}
