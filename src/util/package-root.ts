import {existsSync} from 'node:fs'
import path from 'node:path'

/**
 * The directory of release's own package.json, found from this file's place: src/util when run from
 * source (tests), dist/src/util when built. Files that ship beside the code (docs/schemas, the
 * bundles of dist/vendor) are found from here whichever runs.
 */
export function packageRoot(): string {
  let dir = import.meta.dirname
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir)
  return dir
}
