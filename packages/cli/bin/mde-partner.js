#!/usr/bin/env node
// The CLI runs from one bundle of the built packages (dist/bundle, made by scripts/bundle.mjs
// after `tsc -b`): every command is a new process, and the bundle starts it in half the time.
import { setFlagsFromString } from "node:v8";
import { main } from "../dist/bundle/main.js";

// undici parses HTTP with llhttp compiled to WebAssembly. V8 runs it first as baseline code
// (Liftoff) and, after the first response, compiles the whole parser again with its optimizing
// compiler on a background thread: about 170 ms of CPU in every command that makes a request,
// for a parser whose share of a response is small (its body is handed over in spans). Measured
// on Node 20: a process making one request used 340 ms of CPU, 175 ms with this flag; a sync of
// 2 tenants × 30 alerts 0.91–1.05 s of CPU and 141 MiB at its peak, 0.79–0.88 s and 106 MiB with
// it. Set before the first request, when undici compiles the parser; V8's flags are the process's,
// its worker threads' too.
setFlagsFromString("--liftoff-only");

process.exitCode = await main(process.argv.slice(2));
