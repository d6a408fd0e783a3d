import { Stack, Token } from 'aws-cdk-lib';
import { ApiMapping, DomainName, type IHttpApi, type IHttpStage, SecurityPolicy } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { ConfigError, certificateRegion, parentDomain } from '../config.ts';

export interface CustomDomainProps {
  /** The HTTP API served on the domain, at its root. */
  readonly httpApi: IHttpApi;
  /** The stage the domain maps to (the relay's `$default` stage). */
  readonly stage: IHttpStage;
  /** The domain, such as `relay.example.com` (lower case, no trailing dot). */
  readonly domainName: string;
  /** An ACM certificate covering `domainName`, in the stack's region (HTTP APIs take regional certificates only). */
  readonly certificateArn: string;
  /**
   * The Route 53 hosted zone to create the alias records (A and AAAA) in.
   *
   * @default - no record: point the domain at `regionalDomainName` yourself
   */
  readonly hostedZoneId?: string | undefined;
  /**
   * The name of the hosted zone `hostedZoneId` is: record names are written relative to it.
   *
   * @default - `domainName` without its first label
   */
  readonly hostedZoneName?: string | undefined;
}

/**
 * A custom domain for the relay's HTTP API (SPEC §6), mapped at its root, so
 * that the URLs pasted into the CometChat dashboard name the domain instead of
 * API Gateway's generated host and survive a replaced API: only the mapping
 * changes. With a hosted zone, the alias records that point the domain at API
 * Gateway's regional endpoint are created too.
 */
export class CustomDomain extends Construct {
  /** The API Gateway domain name resource. */
  readonly domain: DomainName;
  /** `https://<domainName>`: the base of every webhook and directory URL. */
  readonly url: string;
  /** The alias records, when a hosted zone was given. */
  readonly records: readonly (ARecord | AaaaRecord)[];

  constructor(scope: Construct, id: string, props: CustomDomainProps) {
    super(scope, id);
    validateProps(this, props);
    const { httpApi, stage, domainName, certificateArn, hostedZoneId, hostedZoneName } = props;

    this.domain = new DomainName(this, 'DomainName', {
      domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    // At the root (no mapping key): the routes keep the paths the CometChat dashboard is given.
    new ApiMapping(this, 'Mapping', { api: httpApi, domainName: this.domain, stage });
    this.url = `https://${domainName}`;

    if (hostedZoneId === undefined) {
      this.records = [];
      return;
    }
    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId,
      zoneName: hostedZoneName ?? parentDomain(domainName),
    });
    const target = RecordTarget.fromAlias(
      new ApiGatewayv2DomainProperties(this.domain.regionalDomainName, this.domain.regionalHostedZoneId),
    );
    this.records = [
      new ARecord(this, 'AliasRecord', { zone, recordName: domainName, target }),
      new AaaaRecord(this, 'AliasRecordIpv6', { zone, recordName: domainName, target }),
    ];
  }
}

const validateProps = (scope: Construct, { domainName, certificateArn }: CustomDomainProps): void => {
  if (domainName === '' || certificateArn === '') throw new Error('CustomDomain: domainName and certificateArn are required');
  checkCertificateRegion(scope, certificateArn);
};

/**
 * HTTP APIs take a certificate of their own region only: checked when the
 * stack has an explicit region; an environment-agnostic stack learns it at
 * deploy time (API Gateway refuses the certificate).
 *
 * @throws ConfigError naming certificateArn
 */
export const checkCertificateRegion = (scope: Construct, certificateArn: string): void => {
  const region = certificateRegion(certificateArn);
  const stackRegion = Stack.of(scope).region;
  if (region !== undefined && !Token.isUnresolved(stackRegion) && region !== stackRegion) {
    throw new ConfigError([
      `certificateArn: is in region ${region}, but the stack deploys to ${stackRegion}: an HTTP API's custom domain ` +
        `needs a certificate of its own region (request or import one in ACM in ${stackRegion})`,
    ]);
  }
};
