/**
 * A minimal fleet template for tests on the simulated account: one launch template and one Auto
 * Scaling group whose instances carry the stack's `Version` as a tag (the sim's fault rules match on
 * it, e.g. `*-bad` fails health checks, `*-nostack` fails to create).
 */
export const FLEET_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: Test fleet for release

Parameters:
  Version:
    Type: String
    AllowedPattern: '[A-Za-z0-9._+-]{1,128}'
  DesiredCapacity:
    Type: Number
    Default: 2

Resources:
  LaunchTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateName: !Sub '\${AWS::StackName}-lt'
      LaunchTemplateData:
        ImageId: ami-0abcdef1234567890
        InstanceType: t3.micro

  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '0'
      MaxSize: '200'
      DesiredCapacity: !Ref DesiredCapacity
      LaunchTemplate:
        LaunchTemplateId: !Ref LaunchTemplate
        Version: !GetAtt LaunchTemplate.LatestVersionNumber
      VPCZoneIdentifier: [subnet-0a1b2c3d, subnet-4e5f6a7b]
      Tags:
        - Key: Version
          Value: !Ref Version
          PropagateAtLaunch: true

Outputs:
  GroupName:
    Value: !Ref Group
`

/** Parameters for FLEET_TEMPLATE. */
export function fleetParameters(version: string, desiredCapacity = 2): Record<string, string> {
  return {Version: version, DesiredCapacity: String(desiredCapacity)}
}
