/** The config tests' view of a refusal: each problem line `parseConfig` reports, in its order. */
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, type RawConfig } from "../components/config";

/** The problems `parseConfig` reports for `raw` (as a RunError, one line each); [] when it is valid. */
export function problemsOf(raw: RawConfig): string[] {
  try {
    parseConfig(raw, "dev");
  } catch (e) {
    expect(pulumi.RunError.isInstance(e)).toBe(true);
    return (e as Error).message
      .split("\n")
      .slice(1)
      .map((l) => l.replace(/^\s+- /, ""));
  }
  return [];
}
