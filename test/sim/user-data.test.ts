import {describe, expect, it} from 'vitest'
import {userDataParameter} from '../../src/sim/user-data.js'

const encoded = (script: string) => Buffer.from(script, 'utf8').toString('base64')
const tags = [{Key: 'release:target', Value: 'demo-db'}]

describe('the parameter a boot script installs the version from', () => {
  it('a literal name', () => {
    expect(userDataParameter(encoded('v=$(aws ssm get-parameter --name /release/prod-db/version --query Parameter.Value)'), [])).toBe('/release/prod-db/version')
  })
  it("a name built from the instance's release:target tag", () => {
    const script = 'target=$(aws ec2 describe-tags --filters Name=key,Values=release:target)\nv=$(aws ssm get-parameter --name "/release/$target/version")'
    expect(userDataParameter(encoded(script), tags)).toBe('/release/demo-db/version')
    expect(userDataParameter(encoded(script), [])).toBeUndefined()
  })
  it('a script that reads no parameter, a variable from elsewhere, or no user data: none', () => {
    expect(userDataParameter(encoded('/opt/web/install.sh --version 2.0.0'), tags)).toBeUndefined()
    expect(userDataParameter(encoded('aws ssm get-parameter --name "/release/$ROLE/version"'), tags)).toBeUndefined()
    expect(userDataParameter(undefined, tags)).toBeUndefined()
  })
})
