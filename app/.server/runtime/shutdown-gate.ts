import type { NextFunction, Request, Response } from "express";

/**
 * What a stopping web process tells the load balancer and the hosts (README, "Graceful shutdown
 * and rolling restarts"). Draining: /readyz answers 503 at once, everything else is still served.
 * Closed (the drain period is over, the listener is closed): a webhook that still arrives on a
 * kept-alive connection is refused with 503, so the host retries it elsewhere; nothing that
 * arrives then is acknowledged and lost. Every answer then closes its connection.
 */
export class ShutdownGate {
  state: "open" | "draining" | "closed" = "open";

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (this.state === "open") return next();
      if (this.state === "closed") res.setHeader("Connection", "close");
      if (req.path === "/readyz") {
        res.status(503).setHeader("Cache-Control", "no-store");
        return void res.json({ ready: false, reason: "draining" });
      }
      if (this.state === "closed" && req.path.startsWith("/webhooks/")) {
        res.status(503).setHeader("Retry-After", "5");
        return void res.json({ error: "shutting_down" });
      }
      next();
    };
  }
}
