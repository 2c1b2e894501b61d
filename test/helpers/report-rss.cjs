// Preloaded into a child process by tests: writes its peak resident set size (KiB) and the CPU
// time it used (ms, user + system) to $REPORT_RSS_FILE when it exits, so a test can bound the
// memory and the work of the app independently of how loaded the machine is.
const fs = require("node:fs");
process.on("exit", () => {
  if (!process.env.REPORT_RSS_FILE) return;
  const cpu = process.cpuUsage();
  fs.writeFileSync(process.env.REPORT_RSS_FILE, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, cpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
});
