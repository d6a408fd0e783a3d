import { escapeXml, ValidationError } from './errors.ts';

export const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** One `Publish` message attribute as the query protocol carries it. */
export interface MessageAttributeInput {
  readonly dataType: string | undefined;
  readonly stringValue: string | undefined;
  /** Base64, exactly as sent on the wire. */
  readonly binaryValue: string | undefined;
}

/**
 * Reads the parameters of one query-protocol request (`Action=...&Version=...&...`),
 * including the flattened maps the SDK writes (`Attributes.entry.1.key=...`).
 */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  optional(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** `modelName` is the lower-camel member name SNS reports in its validation message. */
  required(name: string, modelName = name.charAt(0).toLowerCase() + name.slice(1)): string {
    const value = this.params.get(name);
    if (value === null) throw new ValidationError(modelName);
    return value;
  }

  /** A `String to string map` member: `<prefix>.entry.N.key` / `<prefix>.entry.N.value`. */
  stringMap(prefix: string): Record<string, string> {
    const map: Record<string, string> = {};
    for (const index of this.entryIndexes(prefix)) {
      const key = this.params.get(`${prefix}.entry.${index}.key`);
      if (key !== null) map[key] = this.params.get(`${prefix}.entry.${index}.value`) ?? '';
    }
    return map;
  }

  /** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`. */
  messageAttributes(): Record<string, MessageAttributeInput> {
    const prefix = 'MessageAttributes';
    const attributes: Record<string, MessageAttributeInput> = {};
    for (const index of this.entryIndexes(prefix)) {
      const entry = `${prefix}.entry.${index}`;
      const name = this.params.get(`${entry}.Name`);
      if (name === null) continue;
      attributes[name] = {
        dataType: this.optional(`${entry}.Value.DataType`),
        stringValue: this.optional(`${entry}.Value.StringValue`),
        binaryValue: this.optional(`${entry}.Value.BinaryValue`),
      };
    }
    return attributes;
  }

  private entryIndexes(prefix: string): number[] {
    const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.entry\\.(\\d+)\\.`);
    const indexes = new Set<number>();
    for (const key of this.params.keys()) {
      const match = pattern.exec(key);
      if (match?.[1]) indexes.add(Number(match[1]));
    }
    return [...indexes].sort((a, b) => a - b);
  }
}

/** `<name>escaped text</name>`; omitted when the value is undefined, as SNS omits absent members. */
export const xmlText = (name: string, value: string | boolean | undefined): string =>
  value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;

/** A string map the way the SDK's XML deserializer reads it back. */
export const xmlStringMap = (name: string, map: Readonly<Record<string, string>>): string =>
  `<${name}>${Object.entries(map)
    .map(([key, value]) => `<entry>${xmlText('key', key)}${xmlText('value', value)}</entry>`)
    .join('')}</${name}>`;

/** A list in the query protocol's default (`member`) form. */
export const xmlMembers = (name: string, members: readonly string[]): string =>
  `<${name}>${members.map((member) => `<member>${member}</member>`).join('')}</${name}>`;

/**
 * `<XResponse><XResult>...</XResult><ResponseMetadata>...</ResponseMetadata></XResponse>`.
 * Actions without an output shape (DeleteEndpoint, ...) have no `XResult` element, like SNS.
 */
export const actionResponseXml = (action: string, resultXml: string | undefined, requestId: string): string =>
  `<${action}Response xmlns="${SNS_XML_NAMESPACE}">` +
  (resultXml === undefined ? '' : `<${action}Result>${resultXml}</${action}Result>`) +
  `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
  `</${action}Response>`;
