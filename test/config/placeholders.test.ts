/**
 * The `{{version}}` placement check (defence in depth behind the version rule): the forms that read
 * their argument as code again, however they are spelled.
 */
import {describe, expect, it} from 'vitest'
import {checkPlaceholders} from '../../src/config/placeholders.js'

describe('{{version}} where a shell or an interpreter would read it as code', () => {
  it.each([
    ['a substitution inside ${x:-...}', 'echo ${x:-$(install.sh {{version}})}'],
    ['backticks inside ${x:-...}', 'echo "${x:-`install.sh {{version}}`}"'],
    ['eval spelled with quotes', 'e"v"al install.sh --version {{version}}'],
    ['eval behind a backslash', '\\eval install.sh --version {{version}}'],
    ['$SHELL -c', '$SHELL -c "install.sh {{version}}"'],
    ['${SHELL} -c', '"${SHELL}" -c "install.sh {{version}}"'],
    ['su -c', "su - app -c 'install.sh {{version}}'"],
    ['su -c before the user', "su -c 'install.sh {{version}}' app"],
    ['runuser -c', "runuser -u app -- bash -c 'install.sh {{version}}'"],
    ['flock ... -c', "flock /var/lock/app -c 'install.sh {{version}}'"],
    ['python3 -c', 'python3 -c "import app; app.install(\'{{version}}\')"'],
    ['perl -e', "perl -e 'print \"{{version}}\"'"],
    ['node -e', "node -e 'install(\"{{version}}\")'"],
    ['piping into sh', 'echo install.sh {{version}} | sh'],
    ['piping into sudo bash -s', 'echo install.sh {{version}} | sudo bash -s'],
    ['piping into python3', 'echo "install({{version}})" | python3'],
    ['a here-string into bash', 'bash <<< "install.sh {{version}}"'],
  ])('refuses %s', (_what, line) => {
    const problem = checkPlaceholders(line)
    expect(problem, line).toBeDefined()
    expect(problem!.hint).toMatch(/\{\{version\}\}/)
  })

  it.each([
    ['release-sim set-version {{version}}'],
    ['bash install.sh {{version}}'],
    ['sudo -u app /opt/app/install.sh --version {{version}}'],
    ['python3 /opt/app/install.py --version {{version}}'],
    ["bash -c 'install.sh --version \"$1\"' _ {{version}}"],
    ['echo ${APP_HOME:-/opt/app} {{version}}'],
    ['install.sh {{version}} | tee /var/log/install.log'],
    ['V={{version}}; echo "$(install.sh --version "$V")"'],
    ['evaluate.sh {{version}}'],
  ])('accepts %s', (line) => {
    expect(checkPlaceholders(line)).toBeUndefined()
  })
})
