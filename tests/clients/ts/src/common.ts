// Shared set-up for the TypeScript scenarios: one openapi-fetch client per
// role, plus small checked helpers so that every value the scenarios use
// comes from the generated types or from an explicit runtime test.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../generated/schema.js";

export type Schemas = components["schemas"];

// The media types the scenarios read. openapi-fetch types `data` and `error`
// from every media type a response declares unless told which; a response
// that also offers a loosely typed form (JSON-LD: `type: object`) would
// otherwise widen `data` to a union the scenarios cannot use. Exports are
// read with parseAs "stream", which this does not affect.
type Media = "application/json" | "application/problem+json";
export type Api = Client<paths, Media>;

// Demo records (data/demo) the scenarios rely on.
export const NEN = "01938000-0000-7000-8000-000000001001";
export const BRAM = "01938000-0000-7000-8000-000000002002";
export const NEN_GROUP = "01938000-0000-7000-8000-000000003057";

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set`);
  }
  return value;
}

const baseUrl = env("AIMD_API");

export function anonymous(): Api {
  return createClient<paths, Media>({ baseUrl });
}

export function withKey(variable: "AIMD_CURATOR_TOKEN" | "AIMD_EDITOR_TOKEN"): Api {
  return createClient<paths, Media>({ baseUrl, headers: { Authorization: `Bearer ${env(variable)}` } });
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

// openapi-fetch answers either { data } or { error }; this demands the first
// with the expected status and hands back the typed body.
export function expectData<D>(
  result: { data?: D; error?: unknown; response: Response },
  status: number,
  what: string,
): D {
  const { data, error, response } = result;
  if (data === undefined || response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(error ?? null)}`);
  }
  return data;
}

// The If-Match value for a record: its version, quoted. The spec's If-Match
// pattern admits `"<version>"`, and the version is a typed field of every
// record, so this works for responses that declare no ETag header.
export function ifMatch(record: { version: number }): string {
  return `"${record.version}"`;
}

export async function main(name: string, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await body();
    console.log(`ok   ts ${name} (${Date.now() - started} ms)`);
  } catch (failure) {
    console.error(`FAIL ts ${name}: ${failure instanceof Error ? failure.stack ?? failure.message : String(failure)}`);
    process.exitCode = 1;
  }
}
