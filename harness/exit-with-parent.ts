/**
 * Preloaded (`--import`) into every process the harness spawns: when the process that spawned it
 * is gone (a test run or a bench killed before it could stop its children), it goes too, rather
 * than keep holding ports, Redis connections and a pinned core that later measurements share.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
}, 1000).unref();
