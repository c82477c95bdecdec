/** Liveness: the process is up and serving. It checks nothing else, on purpose. */
export function loader() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
