/** A one-line progress display on stderr, only when stderr is a terminal (never in --json or pipes). */
export function progressBar(label: (p: { lines: number; added: number }) => string, enabled = Boolean(process.stderr.isTTY)) {
  let last = 0;
  return {
    update(p: { lines: number; added: number }) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      process.stderr.write(`\r${label(p)}\x1b[K`);
    },
    done() {
      if (enabled) process.stderr.write("\r\x1b[K");
    },
  };
}
