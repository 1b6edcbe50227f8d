/**
 * Preloaded (node --import) by test/e2e/environment-errors.e2e.test.ts: the file system refuses to
 * create, open or read anything under RELEASE_TEST_REFUSE_UNDER with RELEASE_TEST_REFUSE (EACCES,
 * EROFS...), as a directory the user may not write or a read-only disk would. Tests run as root, where chmod
 * refuses nothing, so the refusal is injected here, shaped exactly as Node reports it.
 */
import fs from 'node:fs'
import {syncBuiltinESMExports} from 'node:module'

const code = process.env.RELEASE_TEST_REFUSE
const under = process.env.RELEASE_TEST_REFUSE_UNDER
if (code && under) {
  for (const [name, syscall] of [['openSync', 'open'], ['mkdirSync', 'mkdir']]) {
    const original = fs[name]
    fs[name] = function (file, ...rest) {
      if (typeof file === 'string' && file.startsWith(under)) {
        throw Object.assign(new Error(`${code}: refused, ${syscall} '${file}'`), {errno: -13, code, syscall, path: file})
      }
      return original.call(this, file, ...rest)
    }
  }
  const readFileSync = fs.readFileSync
  fs.readFileSync = function (file, ...rest) {
    if (typeof file === 'string' && file.startsWith(under)) {
      throw Object.assign(new Error(`${code}: refused, open '${file}'`), {errno: -13, code, syscall: 'open', path: file})
    }
    return readFileSync.call(this, file, ...rest)
  }
  const readFile = fs.promises.readFile
  fs.promises.readFile = async function (file, ...rest) {
    if (typeof file === 'string' && file.startsWith(under)) {
      throw Object.assign(new Error(`${code}: refused, open '${file}'`), {errno: -13, code, syscall: 'open', path: file})
    }
    return readFile.call(this, file, ...rest)
  }
  syncBuiltinESMExports()
}
