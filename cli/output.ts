import type { TFunction } from "i18next";
import { InvalidInputError, KeyrelayError } from "../app/.server/domain/errors.ts";
import type { Locale } from "../app/i18n/i18n.ts";

/** Where a command writes: human text from the catalogs, or one JSON document with --json. */
export interface Output {
  json: boolean;
  locale: Locale;
  t: TFunction;
  /** Human-readable line (suppressed with --json). */
  say(text: string): void;
  /** The command's result: printed as JSON with --json. */
  result(value: unknown): void;
}

export function createOutput(json: boolean, locale: Locale, t: TFunction, write = (s: string) => process.stdout.write(s)): Output {
  return {
    json,
    locale,
    t,
    say(text) {
      if (!json) write(text + "\n");
    },
    result(value) {
      if (json) write(JSON.stringify(value, null, 2) + "\n");
    },
  };
}

/** A usage mistake: exit 2 with a clear message. */
export class UsageError extends Error {
  readonly code: string;
  readonly params: Record<string, string>;
  constructor(code: string, params: Record<string, string> = {}) {
    super(code);
    this.code = code;
    this.params = params;
  }
}

/** What --json prints of an error: invalid input also names its field and the message's params (a weak password's reasons). */
export interface DescribedError {
  code: string;
  message: string;
  exitCode: number;
  field?: string;
  params?: Record<string, string | number>;
}

export function describeError(e: unknown, t: TFunction): DescribedError {
  if (e instanceof UsageError) return { code: e.code, message: t(`cli.${e.code}`, e.params), exitCode: 2 };
  if (e instanceof InvalidInputError) {
    return {
      code: e.code,
      message: t(`errors.${e.code}`, { ...e.params, defaultValue: e.message }),
      exitCode: 2,
      ...(e.field ? { field: e.field } : {}),
      ...(Object.keys(e.params).length ? { params: e.params } : {}),
    };
  }
  if (e instanceof KeyrelayError) {
    return { code: e.code, message: t(`errors.${e.code}`, { ...e.params, defaultValue: e.message }), exitCode: e.kind === "invalid_input" ? 2 : 1 };
  }
  return { code: "unexpected", message: e instanceof Error ? e.message : String(e), exitCode: 1 };
}
