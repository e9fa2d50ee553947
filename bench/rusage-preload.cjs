// Loaded with `node --require` (NODE_OPTIONS) into a measured process: when it exits, writes its CPU
// time and peak memory as JSON to the file named by MDE_BENCH_RUSAGE_FILE. `cpuUs` is the
// process's user + system time (every thread: workers and the thread pool included) plus that of
// the child processes it waited for (Linux /proc/self/stat, clock ticks); `systemUs` the kernel's part
// of its own; `maxRssKiB` is its own peak; `minorFaults` the pages it touched for the first time.
// The variable is removed at load, so only the process started with it writes the file.
"use strict";
/* global require, process */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS
const { readFileSync, writeFileSync } = require("node:fs");

const file = process.env.MDE_BENCH_RUSAGE_FILE;
delete process.env.MDE_BENCH_RUSAGE_FILE;

/** User + system time of the waited-for children, in µs (0 where /proc is not there). */
function childrenCpuUs() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // The fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of proc(5) (cutime, cstime) are the 14th and 15th after the name.
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / 100 : 0;
  } catch {
    return 0;
  }
}

if (file) {
  process.on("exit", (code) => {
    const u = process.resourceUsage();
    const children = childrenCpuUs();
    writeFileSync(
      file,
      JSON.stringify({ code, userUs: u.userCPUTime, systemUs: u.systemCPUTime, childrenUs: children, cpuUs: u.userCPUTime + u.systemCPUTime + children, maxRssKiB: u.maxRSS, minorFaults: u.minorPageFault }),
    );
  });
}
