// Preloaded into a child process by tests: writes its peak resident set size (KiB) to
// $REPORT_RSS_FILE when it exits, so a test can bound the memory the app used.
const fs = require("node:fs");
process.on("exit", () => {
  if (process.env.REPORT_RSS_FILE) fs.writeFileSync(process.env.REPORT_RSS_FILE, String(process.resourceUsage().maxRSS));
});
