import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { InvalidInputError } from "../domain/errors.ts";

/**
 * What an admin password must be: 12 to 1024 characters, and not easy to guess. "Easy to guess"
 * is zxcvbn's estimate (a strength estimator built on the password lists attackers try first,
 * English words and names, keyboard patterns, repeats, sequences, dates and l33t spellings):
 * below score 3 (about 10^8 guesses) is refused. What the attacker of this site knows first —
 * the admin's email, its parts and the product's name — counts as known: a password built from
 * them must be strong without them.
 *
 * The message says why with zxcvbn's own feedback, mapped onto our catalog (passwordStrength.*)
 * so both languages say it; the reason keys travel as the error's params.
 */

export const MIN_PASSWORD_LENGTH = 12;
/** Longer passwords are refused without hashing them. */
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn's scores run 0–4; 3 means "safely unguessable" online and against a slow hash. */
export const MIN_SCORE = 3;

/** zxcvbn's warning keys we have a message for (passwordStrength.warnings.*), plus our fallback. */
export const WARNINGS = [
  "straightRow",
  "keyPattern",
  "simpleRepeat",
  "extendedRepeat",
  "sequences",
  "recentYears",
  "dates",
  "topTen",
  "topHundred",
  "common",
  "similarToCommon",
  "wordByItself",
  "namesByThemselves",
  "commonNames",
  "userInputs",
  "guessable",
] as const;
/** zxcvbn's suggestion keys we have a message for (passwordStrength.suggestions.*). */
export const SUGGESTIONS = [
  "l33t",
  "reverseWords",
  "allUppercase",
  "capitalization",
  "dates",
  "recentYears",
  "associatedYears",
  "sequences",
  "repeated",
  "longerKeyboardPattern",
  "anotherWord",
  "useWords",
  "noNeed",
] as const;
export type PasswordWarning = (typeof WARNINGS)[number];
export type PasswordSuggestion = (typeof SUGGESTIONS)[number];

export type PasswordVerdict =
  | { ok: true; score: number }
  | { ok: false; score: number; warning: PasswordWarning; suggestions: PasswordSuggestion[] };

/** How much of a password zxcvbn looks at (see loadEstimator). */
export const ESTIMATED_PREFIX = 100;

let estimator: Promise<ZxcvbnFactory> | undefined;

/**
 * The dictionaries (a few MB) load on the first check, once per process. Levenshtein matching
 * ("similar to a common password") is off: it compares against every dictionary word and costs
 * 0.1–1.2 s of blocking CPU per check, while the ordinary matchers already catch what we refuse.
 */
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory: Factory }, common, en] = await Promise.all([
      import("@zxcvbn-ts/core"),
      import("@zxcvbn-ts/language-common"),
      import("@zxcvbn-ts/language-en"),
    ]);
    return new Factory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      useLevenshteinDistance: false,
      // zxcvbn's matching grows faster than linearly with length: 1024 varied characters cost
      // 3–6 s of blocking CPU. Its authors' advice is to estimate a prefix; 100 characters that
      // pass are strong whatever follows, so the rest of a long password only adds to it.
      maxLength: ESTIMATED_PREFIX,
    });
  })();
  return estimator;
}

const SEASONS_AND_MONTHS = ["spring", "summer", "autumn", "winter", "january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december"];

/**
 * What this site's attacker tries first: the product's name, the role the login page is for, and
 * the admin's email, its local part (and its pieces) and its domain's name.
 */
export function contextWords(email: string | undefined): string[] {
  // Beyond the product and the role: the platforms a key shop runs on, and the seasons and months
  // people pair with a year and a symbol ("Summer2024!!", "Shopify2024!"), which zxcvbn alone
  // scores 3–4 on length. A password must be strong without them, not free of them.
  const words = new Set(["keyrelay", "admin", "shopify", "woocommerce", ...SEASONS_AND_MONTHS]);
  const e = email?.trim().toLowerCase();
  if (e) {
    words.add(e);
    const [local, domain] = e.split("@");
    if (local && local.length >= 3) words.add(local);
    for (const part of local?.split(/[._+-]+/) ?? []) if (part.length >= 3) words.add(part);
    const name = domain?.split(".")[0];
    if (name && name.length >= 3) words.add(name);
  }
  return [...words];
}

function asWarning(key: string | null): PasswordWarning {
  return (WARNINGS as readonly string[]).includes(key ?? "") ? (key as PasswordWarning) : "guessable";
}

/** zxcvbn lists "add another word" first; the specific advice says more, so it goes first. */
function asSuggestions(keys: string[]): PasswordSuggestion[] {
  const known = keys.filter((k): k is PasswordSuggestion => (SUGGESTIONS as readonly string[]).includes(k));
  if (!known.length) return ["anotherWord"];
  return [...known.filter((k) => k !== "anotherWord"), ...known.filter((k) => k === "anotherWord")];
}

/** The password with every context word (any case) taken out. */
function withoutWords(password: string, words: string[]): string {
  let rest = password;
  for (const w of [...words].sort((a, b) => b.length - a.length)) {
    if (w.length < 3) continue;
    rest = rest.replace(new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), "");
  }
  return rest;
}

/** zxcvbn's verdict on a password, with `email` (and the product's name) as known words. */
export async function estimatePassword(password: string, email?: string): Promise<PasswordVerdict> {
  const z = await loadEstimator();
  const words = contextWords(email);
  const result = z.check(password, words);
  if (result.score < MIN_SCORE) {
    return { ok: false, score: result.score, warning: asWarning(result.feedback.warning), suggestions: asSuggestions(result.feedback.suggestions) };
  }
  // zxcvbn counts a context word as a few guesses, but separators and a short word beside it can
  // still lift the whole to score 3 ("keyrelay-admin"): what is left without them must be strong.
  const rest = withoutWords(password, words);
  if (rest !== password) {
    const alone = z.check(rest, words);
    if (alone.score < MIN_SCORE) return { ok: false, score: alone.score, warning: "userInputs", suggestions: ["anotherWord"] };
  }
  return { ok: true, score: result.score };
}

/**
 * Throws InvalidInputError naming `field` unless `password` may be an admin's password:
 * password_too_short / password_too_long (params min / max), or password_weak with params
 * `warning` (the reason's key), `suggestion` (the first piece of advice), `suggestions`
 * (all of them, comma-separated) and `score`.
 */
export async function checkPasswordPolicy(password: string, opts: { email?: string; field: string }): Promise<void> {
  const { field } = opts;
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidInputError("password_too_short", `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`, {
      field,
      params: { min: MIN_PASSWORD_LENGTH },
    });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError("password_too_long", `The password may be at most ${MAX_PASSWORD_LENGTH} characters.`, {
      field,
      params: { max: MAX_PASSWORD_LENGTH },
    });
  }
  const verdict = await estimatePassword(password, opts.email);
  if (!verdict.ok) {
    throw new InvalidInputError("password_weak", `This password is too easy to guess (${verdict.warning}).`, {
      field,
      params: { warning: verdict.warning, suggestion: verdict.suggestions[0], suggestions: verdict.suggestions.join(","), score: verdict.score },
    });
  }
}
