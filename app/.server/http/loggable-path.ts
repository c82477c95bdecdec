/**
 * A request's path as it may be written to a log: the secret segments of capability URLs (a
 * buyer's key page /k/<token>, a team invitation /invite/<token>, a reseller portal invitation /portal/invite/<token>, a password reset /reset-password/<token>) replaced by their name. Whoever
 * reads the log must not be able to open the page.
 */
const CAPABILITY_ROUTES = [/^(\/k\/)[^/]+/, /^(\/invite\/)[^/]+/, /^(\/portal\/invite\/)[^/]+/, /^(\/reset-password\/)[^/]+/];

export function loggablePath(pathname: string): string {
  for (const route of CAPABILITY_ROUTES) {
    if (route.test(pathname)) return pathname.replace(route, "$1:token");
  }
  return pathname;
}
